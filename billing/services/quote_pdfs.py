"""Rendering a quote's two PDFs (the task billing.render_quote_pdf calls this). Idempotent:
a quote whose documents are ready with their files is left as it is, so running the task
again (a retry, a duplicate delivery) never makes a second document."""

from __future__ import annotations

from django.db import transaction

from billing import documents
from billing.models import Quote
from portal.audit.services import audit_record
from portal.files import file_store


def send_quote_email_task():
    from billing.tasks import send_quote_email  # tasks import the services

    return send_quote_email


def _ready(quote: Quote) -> bool:
    return (
        quote.pdf_status == Quote.PdfStatus.READY and bool(quote.pdf) and bool(quote.customer_pdf)
    )


def quote_render_documents(*, quote_id) -> Quote | None:
    """Render outside the row lock (a render takes a fraction of a second), store under
    it. None for a quote this context cannot see."""
    quote = (
        Quote.objects.select_related("organisation__partner_type__programme")
        .prefetch_related("lines")
        .filter(pk=quote_id)
        .first()
    )
    if quote is None or _ready(quote):
        return quote
    partner_bytes = documents.quote_partner_pdf(quote)
    customer_bytes = documents.quote_customer_pdf(quote)
    with transaction.atomic():
        quote = Quote.objects.select_for_update().get(pk=quote_id)
        if _ready(quote):
            return quote
        quote.pdf_sha256 = file_store(
            quote.pdf, name=f"{quote.reference}-partner.pdf", content=partner_bytes
        )
        quote.customer_pdf_sha256 = file_store(
            quote.customer_pdf, name=f"{quote.reference}-customer.pdf", content=customer_bytes
        )
        before = {"pdf_status": quote.pdf_status}
        quote.pdf_status = Quote.PdfStatus.READY
        quote.save(
            update_fields=["pdf", "customer_pdf", "pdf_sha256", "customer_pdf_sha256", "pdf_status"]
        )
        audit_record(
            actor=None,  # the rendering task: named by its context
            action="quote.documents_ready",
            obj=quote,
            organisation=quote.organisation_id,
            before=before,
            after={
                "pdf_status": quote.pdf_status,
                "pdf_sha256": quote.pdf_sha256,
                "customer_pdf_sha256": quote.customer_pdf_sha256,
            },
            summary=f"Quote {quote.reference}: the partner's and the customer's PDFs generated",
        )
        # Only when they newly became ready: rendering again never emails again.
        send_quote_email_task().delay_on_commit(
            organisation_id=str(quote.organisation_id), quote_id=str(quote.pk), event="ready"
        )
    return quote


def quote_mark_failed(*, quote_id) -> None:
    quote = (
        Quote.objects.select_for_update()
        .filter(pk=quote_id, pdf_status=Quote.PdfStatus.PENDING)
        .first()
    )
    if quote is None:
        return
    quote.pdf_status = Quote.PdfStatus.FAILED
    quote.save(update_fields=["pdf_status"])
    audit_record(
        actor=None,  # the rendering task, out of retries
        action="quote.documents_failed",
        obj=quote,
        organisation=quote.organisation_id,
        before={"pdf_status": Quote.PdfStatus.PENDING},
        after={"pdf_status": quote.pdf_status},
        summary=f"Quote {quote.reference}: the PDFs could not be generated",
    )
