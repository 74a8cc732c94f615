"""Partners of the real programmes (Vates, Mattermost) with their catalogues, for the
trial, NFR and evaluation licence tests."""

from __future__ import annotations

from licensing.services.catalogue import catalogue_load
from partners.models import Membership, Programme
from partners.services.programme import programme_load
from tests.conftest import Tenant
from tests.factories import MembershipFactory, OrganisationFactory, UserFactory, staff_user
from tests.tenancy_support import observer


def programme(code: str) -> Programme:
    with observer():
        loaded = programme_load(code=code)
        catalogue_load(code=code)
    return loaded


def partner_of(code: str, type_code: str, *, name: str | None = None) -> Tenant:
    """An active partner of that programme's type, with an administrator."""
    loaded = programme(code)
    partner_type = loaded.types.get(code=type_code)
    organisation = OrganisationFactory(
        name=name or f"{type_code.title()} of {loaded.name}",
        partner_type=partner_type,
        tier=partner_type.tiers.order_by("level").first(),
    )
    membership = MembershipFactory(
        organisation=organisation,
        role=Membership.Role.ADMIN,
        user=UserFactory(email=f"admin@{type_code.replace('_', '-')}.{code}.example"),
    )
    return Tenant(organisation=organisation, admin=membership.user, membership=membership)


def reviewer(*permissions: str):
    return staff_user(*permissions)
