"""Rendering an invoice's PDF (the task billing.render_invoice_pdf calls this): a Factur-X
PDF/A-3 with its EN 16931 XML (billing.invoice_documents). Idempotent: a document already
rendered is left as it is (and the database refuses to change it), so running the task
again never makes a second document or number, nor a second email: the "invoice issued"
email is enqueued by the transaction that makes the document ready, and only by it."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from billing import invoice_documents
from billing.models import Invoice, InvoiceDocument
from portal.audit.services import audit_record
from portal.files import file_store


def invoice_render_document(*, invoice_id) -> InvoiceDocument | None:
    """Render outside the row lock, store under it. None for an invoice this context
    cannot see."""
    document = InvoiceDocument.objects.filter(invoice_id=invoice_id).first()
    if document is None or document.status == InvoiceDocument.Status.READY:
        return document
    invoice = (
        Invoice.objects.select_related("order", "credited_invoice")
        .prefetch_related("lines")
        .get(pk=invoice_id)
    )
    content = invoice_documents.invoice_pdf(invoice)
    with transaction.atomic():
        document = InvoiceDocument.objects.select_for_update().get(invoice_id=invoice_id)
        if document.status == InvoiceDocument.Status.READY:
            return document
        before = {"status": document.status}
        document.pdf_sha256 = file_store(
            document.pdf, name=f"{invoice.reference}.pdf", content=content
        )
        document.status = InvoiceDocument.Status.READY
        document.rendered_at = timezone.now()
        document.save(update_fields=["pdf", "pdf_sha256", "status", "rendered_at"])
        audit_record(
            actor=None,  # the rendering task: named by its context
            action="invoice.document_ready",
            obj=invoice,
            organisation=invoice.organisation_id,
            before=before,
            after={"status": document.status, "pdf_sha256": document.pdf_sha256},
            summary=f"{invoice.get_kind_display()} {invoice.reference}: PDF generated",
        )
        invoice_document_ready_notify(invoice)
    return document


def invoice_document_ready_notify(invoice: Invoice) -> None:
    """Email the PDF once the transaction that made it ready commits."""
    from billing.tasks import send_invoice_email  # tasks import the services

    send_invoice_email.delay_on_commit(
        organisation_id=str(invoice.organisation_id), invoice_id=str(invoice.pk)
    )


def invoice_mark_failed(*, invoice_id) -> None:
    document = (
        InvoiceDocument.objects.select_for_update()
        .filter(invoice_id=invoice_id, status=InvoiceDocument.Status.PENDING)
        .first()
    )
    if document is None:
        return
    document.status = InvoiceDocument.Status.FAILED
    document.save(update_fields=["status"])
    audit_record(
        actor=None,  # the rendering task, out of retries
        action="invoice.document_failed",
        obj=document.invoice,
        organisation=document.organisation_id,
        before={"status": InvoiceDocument.Status.PENDING},
        after={"status": document.status},
        summary=f"Invoice {document.invoice}: the PDF could not be generated",
    )
