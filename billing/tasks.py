from celery import shared_task

from billing.services.notifications import order_email_send
from billing.services.quote_notifications import quote_email_send
from billing.services.quote_pdfs import quote_mark_failed, quote_render_documents
from portal.tasks import render_or_mark_failed


@shared_task(
    name="billing.send_order_email",
    tenancy="tenant",  # an email to one partner about its own order
    autoretry_for=(OSError,),
    max_retries=5,
)
def send_order_email(*, organisation_id: str, order_id: str, event: str) -> int:
    return order_email_send(order_id=order_id, event=event)


@shared_task(
    name="billing.render_quote_pdf",
    tenancy="tenant",  # one partner's quote: that tenant's context, not a bypass
    bind=True,
    max_retries=3,
    default_retry_delay=30,
)
def render_quote_pdf(self, *, organisation_id: str, quote_id: str) -> None:
    """Idempotent: documents already rendered are left as they are."""
    render_or_mark_failed(
        self,
        render=lambda: quote_render_documents(quote_id=quote_id),
        mark_failed=lambda: quote_mark_failed(quote_id=quote_id),
        what=f"quote {quote_id}",
    )


@shared_task(
    name="billing.send_quote_email",
    tenancy="tenant",  # about one partner's quote: that tenant's context
    autoretry_for=(OSError,),
    max_retries=5,
)
def send_quote_email(*, organisation_id: str, quote_id: str, event: str) -> int:
    """The customer's signature link is made here, from the quote's id."""
    return quote_email_send(quote_id=quote_id, event=event)
