"""Quotes: the reseller space's pages, the API, and the end customer's signature page (see
tests/routes/cases.py for the kinds of route). Every member reads its organisation's quotes
(and, as a distributor, those made through it); administrators and sales write."""

from billing.services.quote_signature import signature_token
from partners import roles
from tests.billing.factories import sellable_product
from tests.billing.quote_support import quote_body, quote_of
from tests.routes.cases import OwnData, Public, TenantCollection, TenantObject
from tests.routes.harness import LEGAL_NAME, first_name


def _name(tenant) -> str:
    # A leak would show another tenant's name (checked by the harness) or id.
    return f"{first_name(tenant)} Customer {tenant.organisation.pk}"


def _quote(tenant):
    return quote_of(tenant.organisation, customer_name=_name(tenant))


def _ready(tenant):
    return quote_of(tenant.organisation, customer_name=_name(tenant), ready=True)


def _catalogue(tenant):
    sellable_product(tenant.organisation)


def _signature_link(tenant) -> dict:
    return {"token": signature_token(quote_of(tenant.organisation, status="sent"))}


_FORM = {
    "customer_name": "Acme Hospital",
    "customer_country": "DE",
    "customer_email": "it@acme-hospital.example",
    "billing_period": "yearly",
    "product_0": "pro",
    "quantity_0": "3",
    "action": "create",
}
_BUY = {"post": roles.BUY}

# A reseller attached to a distributor buys through it: its quotes name that supplier.
ROUTES: dict[str, object] = {
    "billing:quote-list": TenantCollection("/space/quotes/", make=_quote, shows_supplier=True),
    "billing:quote-new": OwnData(
        "/space/quotes/new/",
        methods=("get", "post"),
        roles={"get": roles.BUY, "post": roles.BUY},
        setup=_catalogue,
        data={"post": _FORM},
        shows_supplier=True,
    ),
    "billing:quote-detail": TenantObject(
        "/space/quotes/{id}/",
        make=_quote,
        methods=("get", "post"),
        roles=_BUY,
        data={"post": {"action": "cancel"}},
        shows_supplier=True,
    ),
    "billing:quote-download": TenantObject("/space/quotes/{id}/customer-pdf.pdf", make=_ready),
    "billing:quote-signature": Public(
        "the end customer's emailed link (no account): its signed token is the credential "
        "(tests/billing/test_quotes_signature.py)",
        path="/quote/{token}/",
        make=_signature_link,
        discloses=frozenset({LEGAL_NAME}),
    ),
    "api:quotes-list": TenantCollection(
        "/api/v1/quotes",
        make=_quote,
        methods=("get", "post"),
        roles=_BUY,
        data={"post": quote_body()},
        shows_supplier=True,
    ),
    "api:quotes-detail": TenantObject("/api/v1/quotes/{id}", make=_quote, shows_supplier=True),
    "api:quotes-send": TenantObject(
        "/api/v1/quotes/{id}/send", make=_quote, methods=("post",), roles=_BUY, shows_supplier=True
    ),
    "api:quotes-convert": TenantObject(
        "/api/v1/quotes/{id}/convert",
        make=_quote,
        methods=("post",),
        roles=_BUY,
        shows_supplier=True,
        invoices_supplier=True,
    ),
    "api:quotes-cancel": TenantObject(
        "/api/v1/quotes/{id}/cancel",
        make=_quote,
        methods=("post",),
        roles=_BUY,
        shows_supplier=True,
    ),
    "api:quotes-pdf": TenantObject("/api/v1/quotes/{id}/pdf", make=_ready),
    "api:quotes-customer-pdf": TenantObject("/api/v1/quotes/{id}/customer-pdf", make=_ready),
}
