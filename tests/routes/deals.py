"""Deal registrations: the reseller space's pages and the API (see tests/routes/cases.py
for the kinds of route). Every member reads; administrators and sales write; the channel
team's decisions are staff-only."""

from partners import roles
from tests.deals.factories import make_deal, payload, product_for
from tests.routes.cases import OwnData, StaffOnly, TenantCollection, TenantObject
from tests.routes.harness import first_name


def _deal(tenant):
    # A leak would show another tenant's name (checked by the harness) or id.
    return make_deal(
        tenant.organisation, customer_name=f"{first_name(tenant)} Prospect {tenant.organisation.pk}"
    )


def _with_product(tenant):
    product_for(tenant.organisation)
    return _deal(tenant)


def _product(tenant):
    product_for(tenant.organisation)


_WRITE = roles.REGISTER_DEALS
_API = "/api/v1/deals"

ROUTES: dict[str, object] = {
    "deals:list": TenantCollection("/space/deals/", make=_deal),
    "deals:new": OwnData(
        "/space/deals/new/",
        setup=_product,
        methods=("get", "post"),
        roles={"get": _WRITE, "post": _WRITE},
        data={"post": {**payload(customer_domain="form-prospect.example"), "currency": "USD"}},
    ),
    "deals:detail": TenantObject(
        "/space/deals/{id}/",
        make=_deal,
        methods=("get", "post"),
        roles={"post": _WRITE},
        data={"post": {"action": "lost", "reason": "Went elsewhere"}},
    ),
    "api:deals-list": TenantCollection(
        _API,
        make=_with_product,
        methods=("get", "post"),
        roles={"post": _WRITE},
        data={"post": payload(customer_domain="new-prospect.example")},
    ),
    "api:deals-export": TenantCollection(_API + "/export.csv", make=_deal),
    "api:deals-detail": TenantObject(_API + "/{id}", make=_deal),
    "api:deals-answer": TenantObject(
        _API + "/{id}/answer",
        make=_deal,
        methods=("post",),
        roles={"post": _WRITE},
        data={"post": {"answer": "Forty hosts."}},
    ),
    "api:deals-won": TenantObject(
        _API + "/{id}/won", make=_deal, methods=("post",), roles={"post": _WRITE}
    ),
    "api:deals-lost": TenantObject(
        _API + "/{id}/lost", make=_deal, methods=("post",), roles={"post": _WRITE}
    ),
    "api:deals-approve": StaffOnly(_API + "/{id}/approve", methods=("post",)),
    "api:deals-reject": StaffOnly(_API + "/{id}/reject", methods=("post",)),
    "api:deals-request-info": StaffOnly(_API + "/{id}/request-info", methods=("post",)),
    "api:deals-extend": StaffOnly(_API + "/{id}/extend", methods=("post",)),
}
