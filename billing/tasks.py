import logging

from celery import shared_task

from billing.services.notifications import order_email_send
from billing.services.quote_notifications import quote_email_send
from billing.services.quote_pdfs import quote_mark_failed, quote_render_documents

logger = logging.getLogger(__name__)


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
    try:
        quote_render_documents(quote_id=quote_id)
    except Exception as exc:
        if self.request.retries < self.max_retries:
            raise self.retry(exc=exc) from exc
        # Out of retries: record the failure (the page says so) and return, so the task's
        # transaction commits that record instead of rolling it back.
        logger.exception("quote %s: documents could not be rendered", quote_id)
        quote_mark_failed(quote_id=quote_id)


@shared_task(
    name="billing.send_quote_email",
    tenancy="tenant",  # about one partner's quote: that tenant's context
    autoretry_for=(OSError,),
    max_retries=5,
)
def send_quote_email(*, organisation_id: str, quote_id: str, event: str) -> int:
    """The customer's signature link is made here, from the quote's id."""
    return quote_email_send(quote_id=quote_id, event=event)
