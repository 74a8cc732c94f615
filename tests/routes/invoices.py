"""Invoices: the reseller space's pages and the API (see tests/routes/cases.py for the kinds
of route). Only the owner's administrators and finance members read them; a distributor
never reads its reseller's invoices (it is invoiced itself, for its own price)."""

from billing.models import Invoice
from partners import roles
from tests.billing.factories import place_order
from tests.routes.cases import TenantCollection, TenantObject
from tests.tenancy_support import observer


def _invoice(tenant) -> Invoice:
    # The personal space: the tenant itself is invoiced, even a reseller that buys for its
    # customers through a distributor (that sale's invoice is the distributor's).
    order = place_order(tenant.organisation, space="personal")
    with observer():
        return Invoice.objects.select_related("document").get(order=order)


def _ready(tenant) -> Invoice:
    from billing.services.invoice_pdfs import invoice_render_document
    from portal.tenancy.context import tenant_context

    invoice = _invoice(tenant)
    with tenant_context(tenant.organisation.pk):
        invoice_render_document(invoice_id=invoice.pk)
    return invoice


_FINANCE = {"get": roles.VIEW_INVOICES}

ROUTES: dict[str, object] = {
    "billing:invoice-list": TenantCollection(
        "/space/invoices/", make=_invoice, roles=_FINANCE, supplier_reads=False
    ),
    "billing:invoice-detail": TenantObject(
        "/space/invoices/{id}/", make=_invoice, roles=_FINANCE, supplier_reads=False
    ),
    "billing:invoice-pdf": TenantObject(
        "/space/invoices/{id}/pdf/", make=_ready, roles=_FINANCE, supplier_reads=False
    ),
    "api:invoices-list": TenantCollection(
        "/api/v1/invoices", make=_invoice, roles=_FINANCE, supplier_reads=False
    ),
    "api:invoices-detail": TenantObject(
        "/api/v1/invoices/{id}", make=_invoice, roles=_FINANCE, supplier_reads=False
    ),
    "api:invoices-pdf": TenantObject(
        "/api/v1/invoices/{id}/pdf", make=_ready, roles=_FINANCE, supplier_reads=False
    ),
}
