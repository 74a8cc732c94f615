"""Factories for the team: invitations with a known token."""

from datetime import timedelta

import factory
from django.utils import timezone

from partners.models import Invitation, Membership
from partners.selectors.team import token_hash
from tests.factories import MembershipFactory, OrganisationFactory, SystemFactory


class InvitationFactory(SystemFactory):
    """``InvitationFactory(token="...")`` stores the hash of that token, as the service does."""

    class Meta:
        model = Invitation

    class Params:
        token = factory.Sequence(lambda n: f"test-invitation-token-{n}")

    organisation = factory.SubFactory(OrganisationFactory)
    email = factory.Sequence(lambda n: f"invitee{n}@newcomer{n}.example")
    role = Membership.Role.SALES
    token_hash = factory.LazyAttribute(lambda o: token_hash(o.token))
    expires_at = factory.LazyFunction(lambda: timezone.now() + timedelta(days=14))


def member_of(tenant, role: str = Membership.Role.SALES) -> Membership:
    """A further (by default non-admin) member of a tenant's organisation."""
    return MembershipFactory(organisation=tenant.organisation, role=role)
