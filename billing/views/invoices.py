"""Pages: the organisation's invoices and credit notes (administrators and finance
members), one invoice with its lines, its PDF's status and how to pay it, and the PDF."""

import datetime

from django.http import Http404
from django.shortcuts import render
from django.urls import path
from django.utils import timezone
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
RELOAD_FOR = datetime.timedelta(minutes=2)


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
    return invoice_page(request, invoice_id=invoice_id)


def invoice_page(request, *, invoice_id, form=None, status: int = 200):
    """The invoice's page: its lines, its PDF's status, its credit notes and its payment
    (how to pay, the proofs sent and, while unpaid, the upload form: ``form`` shows what
    an upload was refused for)."""
    from billing.views.payments import payment_section_context  # it posts back here

    invoice = invoice_for(organisation=request.caller.organisation, invoice_id=invoice_id)
    document = getattr(invoice, "document", None)
    pending = document is not None and document.status == document.Status.PENDING
    return render(
        request,
        "billing/invoices/detail.html",
        {
            # Reload while the PDF renders (seconds), not for ever: a page that reloads
            # would lose a payment proof being chosen in its form.
            "reload": pending and timezone.now() - invoice.created_at < RELOAD_FOR,
            "lines": list(invoice.lines.all()),
            "credit_notes": list(invoice.credit_notes.all()),
            "document": document,
            **payment_section_context(invoice, form=form),
        },
        status=status,
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
