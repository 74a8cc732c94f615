"""Licences bound to a customer and redeemed, through licensing's own services (binding and
redemption are the only ways a licence gets there)."""

from __future__ import annotations

from licensing.models import CustomerLink, Licence
from licensing.selectors.links import link_token
from licensing.services.binding import licence_bind
from licensing.services.redemption import Redemption, licence_redeem
from partners.models import Membership
from tests.factories import MembershipFactory, OrganisationFactory
from tests.licensing.factories import ProductFactory, issue_licence
from tests.tenancy_support import observer

CUSTOMER_EMAIL = "it@customer.example"


def binder_of(organisation):
    """A member of the organisation who may bind its licences (its first admin, or one
    made here)."""
    with observer():
        membership = (
            Membership.objects.filter(organisation=organisation, role=Membership.Role.ADMIN)
            .select_related("user")
            .first()
        )
    if membership is None:
        membership = MembershipFactory(organisation=organisation, role=Membership.Role.ADMIN)
    return membership.user


def bound_licence(
    organisation=None, *, email: str = CUSTOMER_EMAIL, **kwargs
) -> tuple[Licence, CustomerLink]:
    """A licence bound to ``email`` (not yet redeemed), and its redemption link."""
    licence = issue_licence(organisation, **kwargs)
    with observer():
        link = licence_bind(actor=binder_of(licence.organisation), licence=licence, email=email)
    return link.licence, link


def redemption_token(organisation=None, **kwargs) -> str:
    return link_token(bound_licence(organisation, **kwargs)[1])


def per_user_product(programme):
    return ProductFactory(
        programme=programme,
        code="team",
        name="Team",
        family="Chat",
        unit="per_user",
        quantity_noun="users",
        min_quantity=1,
        max_quantity=None,
    )


def redeem(link: CustomerLink, **overrides) -> Redemption:
    data = {
        "organisation_name": "Customer Industries SA",
        "country": "FR",
        "installation_name": "Production cluster",
        "accept_terms": True,
        "terms_version": link.licence.product.programme.resale_terms_version,
        "ip": "198.51.100.7",
        **overrides,
    }
    return licence_redeem(link_id=link.pk, **data)


def seats_link(organisation=None, *, quantity: int = 3) -> CustomerLink:
    """A redeemed per-user licence of ``quantity`` users, and its seat-management link."""
    organisation = organisation or OrganisationFactory()
    product = per_user_product(organisation.partner_type.programme)
    licence, link = bound_licence(organisation, product=product, quantity=quantity)
    redeem(link)
    with observer():
        return CustomerLink.objects.select_related("licence").get(
            licence=licence, purpose=CustomerLink.Purpose.MANAGE_SEATS
        )
