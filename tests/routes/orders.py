"""Orders: the reseller space's pages and the API (see tests/routes/cases.py for the kinds
of route). Every member reads its organisation's orders (and, as a distributor, those
placed through it); administrators and sales place them."""

from partners import roles
from tests.billing.factories import order_body, place_order, sellable_product
from tests.routes.cases import OwnData, Public, TenantCollection, TenantObject
from tests.routes.harness import first_name


def _order(tenant):
    # A leak would show another tenant's name (checked by the harness) or id.
    return place_order(
        tenant.organisation,
        customer_name=f"{first_name(tenant)} Customer {tenant.organisation.pk}",
    )


ROUTES: dict[str, object] = {
    "billing:order-list": TenantCollection("/space/orders/", make=_order, shows_supplier=True),
    "billing:order-detail": TenantObject("/space/orders/{id}/", make=_order, shows_supplier=True),
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


def _with_codes(tenant):
    """An order whose line made redemption codes (the CSV's rows). The codes are the
    owner's only: a distributor gets 404 for an order it supplied
    (tests/billing/test_orders_api.py), so this one is of the personal space, which no
    distributor supplies."""
    product = sellable_product(tenant.organisation)
    return place_order(
        tenant.organisation,
        space="personal",
        lines=[{"product": product.code, "quantity": 3, "fulfilment": "codes", "copies": 2}],
    )


_API = "/api/v1/orders"

ROUTES["api:orders-list"] = TenantCollection(
    _API,
    make=_order,
    methods=("get", "post"),
    roles={"post": roles.BUY},
    data={"post": order_body(customer_name="API Customer")},
    shows_supplier=True,
    invoices_supplier=True,
)
ROUTES["api:orders-detail"] = TenantObject(_API + "/{id}", make=_order, shows_supplier=True)
ROUTES["api:orders-codes"] = TenantObject(
    _API + "/{id}/codes", make=_with_codes, roles={"get": roles.BUY}
)


def _subscription(tenant):
    """A monthly order: its subscription is the owner's to cancel (a distributor that
    supplied it only reads the order)."""
    return place_order(
        tenant.organisation,
        billing_period="monthly",
        customer_name=f"{first_name(tenant)} Subscriber {tenant.organisation.pk}",
    )


for _name, _path in (
    ("api:orders-cancel-subscription", _API + "/{id}/cancel-subscription"),
    ("billing:order-subscription", "/space/orders/{id}/subscription/cancel/"),
):
    ROUTES[_name] = TenantObject(
        _path,
        make=_subscription,
        methods=("post",),
        roles={"post": roles.BUY},
        supplier_reads=False,
        shows_supplier=True,  # the order names the distributor it was placed through
    )


def _cancelled_subscription(tenant):
    """A monthly order its owner cancelled: taking that back is the owner's."""
    from billing.services.subscriptions import subscription_cancel
    from tests.tenancy_support import observer

    order = _subscription(tenant)
    with observer():
        subscription_cancel(
            organisation=tenant.organisation, order=order, actor=tenant.admin, role="admin"
        )
    return order


ROUTES["api:orders-resume-subscription"] = TenantObject(
    _API + "/{id}/resume-subscription",
    make=_cancelled_subscription,
    methods=("post",),
    roles={"post": roles.BUY},
    supplier_reads=False,
    shows_supplier=True,
)


def _new_order_form() -> dict:
    """The new-order page's "Place order" (the owner's allowed write places one)."""
    data = {
        "space": "reseller",
        "idempotency_key": "route-test",
        "action": "place",
        "customer_name": "Page Customer",
        "customer_email": "it@page-customer.example",
        "customer_country": "DE",
        "billing_period": "yearly",
    }
    for n in range(5):
        data.update({f"line-{n}-fulfilment": "licence", f"line-{n}-copies": "1"})
    data.update({"line-0-product": "pro", "line-0-quantity": "3"})
    return data


ROUTES["billing:order-new"] = OwnData(
    "/space/orders/new/",
    setup=_catalogue,
    methods=("get", "post"),
    roles={"get": roles.BUY, "post": roles.BUY},
    data={"post": _new_order_form()},
    shows_supplier=True,  # the preview names the distributor that invoices the reseller
    shows_resellers=True,  # a distributor orders for a reseller attached to it
    invoices_supplier=True,
)

ROUTES["billing:redeem-code"] = Public(
    "the end customer's redemption-code form (no account): the single-use code is the "
    "credential, and an unknown or used one is refused alike (tests/billing/"
    "test_redemption_codes.py)",
    path="/redeem-code/",
)
