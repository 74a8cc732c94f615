"""Payments: the proof upload (its GET shows the invoice's page) and download, and the
API's proofs (see tests/routes/cases.py for the kinds of route). An invoice belongs to the
organisation invoiced; its administrators and finance people only pay it. The invoices are
of orders for the partner's own use, so that each tenant is invoiced itself (a two-tier
sale invoices the distributor)."""

from partners import roles
from tests.billing.payment_support import ordered_invoice, proof_for
from tests.routes.cases import TenantObject
from tests.routes.harness import first_name


def _invoice(tenant):
    # A leak would show another tenant's id, or its name in the customer's name.
    return ordered_invoice(
        tenant, customer_name=f"{first_name(tenant)} Customer {tenant.organisation.pk}"
    )


def _proof(tenant):
    return proof_for(tenant, _invoice(tenant), name=f"{first_name(tenant)}-transfer.pdf")


_PAY = {"get": roles.VIEW_INVOICES, "post": roles.VIEW_INVOICES}

ROUTES: dict[str, object] = {
    "billing:invoice-payment-proof": TenantObject(
        "/space/invoices/{id}/payment-proof/",
        make=_invoice,
        methods=("get", "post"),
        roles=_PAY,
    ),
    "billing:payment-proof-download": TenantObject(
        "/space/payment-proofs/{id}/", make=_proof, roles={"get": roles.VIEW_INVOICES}
    ),
    "api:invoices-payment-proofs": TenantObject(
        "/api/v1/invoices/{id}/payment-proofs",
        make=_invoice,
        methods=("get", "post"),
        roles=_PAY,
    ),
}
