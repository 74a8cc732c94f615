"""Pages: the organisation's invoices and credit notes (administrators and finance
members), one invoice with its lines, its PDF's status and how to pay it, and the PDF."""

from django.http import Http404
from django.shortcuts import render
from django.urls import path
from django.views.decorators.http import require_safe

from billing.models import Invoice
from billing.selectors.invoices import (
    InvoiceFilterSet,
    PaymentState,
    invoice_document_file,
    invoice_for,
    invoices_for,
)
from partners import roles
from portal.files import private_file_response
from portal.pagination import filtered_page
from portal.tenancy.access import member_required

_FILTERS = ("kind", "payment", "search")


@member_required(roles=roles.VIEW_INVOICES)
@require_safe
def invoice_list(request):
    organisation = request.caller.organisation
    filterset = InvoiceFilterSet(
        request.GET, queryset=invoices_for(organisation=organisation), request=request
    )
    listing = filtered_page(request, filterset, filters=_FILTERS)
    return render(
        request,
        "billing/invoices/list.html",
        {
            **listing,
            "invoices": listing["page_obj"].object_list,
            "kinds": Invoice.Kind.choices,
            "payment_states": PaymentState.CHOICES,
        },
    )


@member_required(roles=roles.VIEW_INVOICES)
@require_safe
def invoice_detail(request, invoice_id):
    invoice = invoice_for(organisation=request.caller.organisation, invoice_id=invoice_id)
    return render(
        request,
        "billing/invoices/detail.html",
        {
            "invoice": invoice,
            "lines": list(invoice.lines.all()),
            "credit_notes": list(invoice.credit_notes.all()),
            "document": getattr(invoice, "document", None),
        },
    )


@member_required(roles=roles.VIEW_INVOICES)
@require_safe
def invoice_pdf(request, invoice_id):
    """The PDF, to the owner's administrators and finance members; someone else's, a
    missing one and one not rendered yet are the same 404."""
    invoice = invoice_for(organisation=request.caller.organisation, invoice_id=invoice_id)
    found = invoice_document_file(invoice)
    if found is None:
        raise Http404
    file, filename = found
    return private_file_response(file, filename=filename, content_type="application/pdf")


urlpatterns = [
    path("invoices/", invoice_list, name="invoice-list"),
    path("invoices/<uuid:invoice_id>/", invoice_detail, name="invoice-detail"),
    path("invoices/<uuid:invoice_id>/pdf/", invoice_pdf, name="invoice-pdf"),
]
