"""Deal registrations: the reseller space's pages and the API (see tests/routes/cases.py
for the kinds of route). Every member reads; administrators and sales write; the channel
team's decisions are staff-only."""

from partners import roles
from tests.deals.factories import make_deal, make_fee, make_lead, payload, product_for
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


def _lead(tenant):
    return make_lead(
        tenant.organisation,
        status="converted",
        customer_name=f"{first_name(tenant)} Lead {tenant.organisation.pk}",
    )


def _fee(tenant):
    return make_fee(tenant.organisation)


def _commission(tenant):
    """The tenants' partner types earn a commission, so that they may submit leads."""
    from partners.models import PartnerType
    from tests.tenancy_support import observer

    with observer():
        PartnerType.objects.filter(pk=tenant.organisation.partner_type_id).update(
            commission_percent=10
        )
    tenant.organisation.partner_type.commission_percent = 10
    return _lead(tenant)


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
    "api:deals-online-purchase": StaffOnly(_API + "/{id}/online-purchase", methods=("post",)),
    "deals:referrals": TenantCollection(
        "/space/referrals/",
        make=_commission,
        methods=("get", "post"),
        roles={"post": _WRITE},
        data={
            "post": {
                "customer_name": "Prospect SA",
                "customer_domain": "prospect.example",
                "customer_country": "FR",
                "customer_email": "cto@prospect.example",
            }
        },
    ),
    "deals:referrals_statement": TenantCollection("/space/referrals/statement/", make=_lead),
    "api:referrals-list": TenantCollection(
        "/api/v1/referrals",
        make=_commission,
        methods=("get", "post"),
        roles={"post": _WRITE},
        data={
            "post": {
                "customer_name": "Prospect SA",
                "customer_domain": "prospect.example",
                "customer_country": "FR",
                "customer_email": "cto@prospect.example",
            }
        },
    ),
    "api:referrals-detail": TenantObject("/api/v1/referrals/{id}", make=_lead),
    "api:referrals-statement": TenantCollection("/api/v1/referrals/statement", make=_lead),
    "api:referrals-statement-csv": TenantCollection("/api/v1/referrals/statement.csv", make=_lead),
    "api:referrals-record-sale": StaffOnly("/api/v1/referrals/{id}/record-sale", methods=("post",)),
    "api:referrals-decline": StaffOnly("/api/v1/referrals/{id}/decline", methods=("post",)),
    "api:referral-fees-list": TenantCollection("/api/v1/referral-fees", make=_fee),
    "api:referral-fees-detail": TenantObject("/api/v1/referral-fees/{id}", make=_fee),
    "api:referral-fees-invoice": TenantObject(
        "/api/v1/referral-fees/{id}/invoice",
        make=_fee,
        methods=("post",),
        roles={"post": _WRITE},
        data={"post": {"invoice_number": "INV-1"}},
    ),
    "api:referral-fees-approve": StaffOnly("/api/v1/referral-fees/{id}/approve", methods=("post",)),
    "api:referral-fees-mark-paid": StaffOnly(
        "/api/v1/referral-fees/{id}/mark-paid", methods=("post",)
    ),
    "api:deals-approve": StaffOnly(_API + "/{id}/approve", methods=("post",)),
    "api:deals-reject": StaffOnly(_API + "/{id}/reject", methods=("post",)),
    "api:deals-request-info": StaffOnly(_API + "/{id}/request-info", methods=("post",)),
    "api:deals-extend": StaffOnly(_API + "/{id}/extend", methods=("post",)),
}
