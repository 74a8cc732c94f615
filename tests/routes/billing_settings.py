"""Billing settings: the billing account (every member reads; administrators and finance
change it), a distributor's resellers and their discounts (distributors only: others get
403; administrators set discounts), and the price calculator (see tests/routes/cases.py
for the kinds of route)."""

from billing.models import BillingAccount
from billing.services.reseller_terms import DISTRIBUTOR_TYPE, SET_DISCOUNTS
from partners.roles import VIEW_INVOICES
from tests.billing.factories import sellable_product
from tests.factories import OrganisationFactory
from tests.routes.cases import OwnData, TenantCollection, TenantObject
from tests.tenancy_support import observer

DISTRIBUTORS = frozenset({DISTRIBUTOR_TYPE})


def _account(tenant):
    # Named after the tenant: its own name is what the account shows.
    organisation = tenant.organisation
    with observer():
        BillingAccount.objects.get_or_create(
            organisation=organisation,
            defaults={"legal_name": organisation.name, "country": organisation.country},
        )


def _account_body(tenant=None) -> dict:
    return {"legal_name": "Renamed Legal Entity", "country": "FR", "vat_number": ""}


def _attached_reseller(tenant):
    """A reseller attached to the tenant (not a tenant of the harness)."""
    return OrganisationFactory(distributor=tenant.organisation)


def _catalogue(tenant):
    sellable_product(tenant.organisation)


ROUTES: dict[str, object] = {
    "billing:account": OwnData(
        "/space/billing/account/",
        methods=("get", "post"),
        roles={"post": VIEW_INVOICES},
        setup=_account,
        data={"post": _account_body()},
        shows_supplier=True,  # a reseller's purchases are invoiced by its distributor
    ),
    "api:billing-account": OwnData(
        "/api/v1/billing/account",
        methods=("get", "put"),
        roles={"put": VIEW_INVOICES},
        setup=_account,
        data={"put": _account_body()},
    ),
    "billing:resellers": OwnData(
        "/space/resellers/",
        methods=("get", "post"),
        roles={"post": SET_DISCOUNTS},
        partner_types=DISTRIBUTORS,
        data={"post": {"percent": "12.50"}},
        shows_resellers=True,
    ),
    "api:resellers": TenantCollection(
        "/api/v1/resellers",
        make=_attached_reseller,
        partner_types=DISTRIBUTORS,
        shows_resellers=True,
    ),
    "api:resellers-default": OwnData(
        "/api/v1/resellers/default-discount",
        methods=("put",),
        roles={"put": SET_DISCOUNTS},
        partner_types=DISTRIBUTORS,
        data={"put": {"percent": "12.50"}},
    ),
    "api:resellers-discount": TenantObject(
        "/api/v1/resellers/{id}/discount",
        methods=("put",),
        make=_attached_reseller,
        roles={"put": SET_DISCOUNTS},
        partner_types=DISTRIBUTORS,
        data={"put": {"percent": "15"}},
    ),
    "billing:pricing": OwnData(
        "/space/pricing/",
        setup=_catalogue,
        shows_supplier=True,
        shows_resellers=True,  # a distributor prices a sale for one of its resellers
    ),
}
