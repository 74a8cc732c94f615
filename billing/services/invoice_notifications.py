"""The email that an invoice or credit note is issued, with its PDF attached: sent by
``billing.send_invoice_email`` in the invoiced party's context, from ids, once the PDF is
ready (billing.services.invoice_pdfs enqueues it when the document becomes ready, and only
then: rendering again never emails again)."""

from __future__ import annotations

from django.conf import settings
from django.urls import reverse

from billing.models import BillingAccount, Invoice, InvoiceDocument
from partners import roles
from partners.models import Membership
from portal.mail import send_templated

TEMPLATE = "billing/emails/invoice_issued"


def invoice_recipients(*, invoice: Invoice) -> list[str]:
    """Who receives the party's invoices: its active administrators and finance members
    (the roles that see invoices) and the billing account's invoice address, once each."""
    emails = list(
        Membership.objects.for_tenant(invoice.organisation_id)
        .filter(user__is_active=True, role__in=roles.VIEW_INVOICES)
        .values_list("user__email", flat=True)
    )
    invoice_email = (
        BillingAccount.objects.owned_by(invoice.organisation_id)
        .values_list("invoice_email", flat=True)
        .first()
    )
    if invoice_email:
        emails.append(invoice_email)
    unique = {}
    for email in emails:
        if email:
            unique.setdefault(email.casefold(), email)
    return sorted(unique.values(), key=str.casefold)


def invoice_email_send(*, invoice_id) -> int:
    """Email the invoice's PDF to its recipients; returns how many were sent (none for an
    invoice this context cannot see or whose PDF is not ready)."""
    invoice = (
        Invoice.objects.select_related("order", "credited_invoice").filter(pk=invoice_id).first()
    )
    document = InvoiceDocument.objects.filter(
        invoice_id=invoice_id, status=InvoiceDocument.Status.READY
    ).first()
    if invoice is None or document is None:
        return 0
    with document.pdf.open("rb") as file:
        content = file.read()
    attachment = (f"{invoice.reference}.pdf", content, "application/pdf")
    context = {
        "invoice": invoice,
        "documents_url": settings.PORTAL_BASE_URL + reverse("partners:documents"),
    }
    recipients = invoice_recipients(invoice=invoice)
    for email in recipients:  # one message each: no one sees whom else it went to
        send_templated(to=[email], template=TEMPLATE, context=context, attachments=[attachment])
    return len(recipients)
