"""Orders: the reseller space's pages and the API (see tests/routes/cases.py for the kinds
of route). Every member reads its organisation's orders (and, as a distributor, those
placed through it); administrators and sales place them."""

from tests.billing.factories import place_order, sellable_product
from tests.routes.cases import OwnData, TenantCollection, TenantObject
from tests.routes.harness import first_name


def _order(tenant):
    # A leak would show another tenant's name (checked by the harness) or id.
    return place_order(
        tenant.organisation,
        customer_name=f"{first_name(tenant)} Customer {tenant.organisation.pk}",
    )


ROUTES: dict[str, object] = {
    "billing:order-list": TenantCollection("/space/orders/", make=_order),
    "billing:order-detail": TenantObject("/space/orders/{id}/", make=_order),
}


def _catalogue(tenant):
    sellable_product(tenant.organisation)


ROUTES["api:pricing-preview"] = OwnData(
    "/api/v1/pricing/preview",
    methods=("post",),
    setup=_catalogue,
    data={"post": {"product": "pro", "quantity": 3, "customer_country": "DE"}},
    shows_supplier=True,
)
