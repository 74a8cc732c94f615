from celery import shared_task

from billing.services.credits import credits_expire
from billing.services.invoice_notifications import invoice_email_send
from billing.services.invoice_pdfs import invoice_mark_failed, invoice_render_document
from billing.services.mdf_notifications import mdf_email_send
from billing.services.notifications import order_email_send
from billing.services.overdue import overdue_reminders_send
from billing.services.payment_notifications import payment_email_send
from billing.services.periods import period_invoices_issue
from billing.services.quote_notifications import quote_email_send
from billing.services.quote_pdfs import quote_mark_failed, quote_render_documents
from billing.services.renewals import renewal_reminders_send
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


@shared_task(
    name="billing.render_invoice_pdf",
    tenancy="tenant",  # one partner's invoice: that tenant's context, not a bypass
    bind=True,
    max_retries=3,
    default_retry_delay=30,
)
def render_invoice_pdf(self, *, organisation_id: str, invoice_id: str) -> None:
    """Idempotent: a document already rendered is left as it is."""
    render_or_mark_failed(
        self,
        render=lambda: invoice_render_document(invoice_id=invoice_id),
        mark_failed=lambda: invoice_mark_failed(invoice_id=invoice_id),
        what=f"invoice {invoice_id}",
    )


@shared_task(
    name="billing.send_invoice_email",
    tenancy="tenant",  # the invoiced party's own invoice: that tenant's context
    autoretry_for=(OSError,),
    max_retries=5,
)
def send_invoice_email(*, organisation_id: str, invoice_id: str) -> int:
    """The invoice's PDF, read from storage here (the task carries ids only)."""
    return invoice_email_send(invoice_id=invoice_id)


@shared_task(
    name="billing.issue_period_invoices",
    tenancy="system",  # every partner's monthly subscriptions: the job's system context
)
def issue_period_invoices() -> int:
    """Scheduled by beat (daily): each started period's invoice, once."""
    return period_invoices_issue()


@shared_task(
    name="billing.send_payment_email",
    tenancy="tenant",  # an email to one partner about paying its own invoice
    autoretry_for=(OSError,),
    max_retries=5,
)
def send_payment_email(
    *, organisation_id: str, event: str, invoice_id: str, proof_id: str = "", days_overdue: int = 0
) -> int:
    return payment_email_send(
        event=event, invoice_id=invoice_id, proof_id=proof_id, days_overdue=days_overdue
    )


@shared_task(
    name="billing.remind_overdue_invoices",
    tenancy="system",  # every partner's overdue invoices: the job's system context
)
def remind_overdue_invoices() -> int:
    """Scheduled by beat (daily): each overdue invoice reminded once per stage."""
    return overdue_reminders_send()


@shared_task(
    name="billing.expire_credits",
    tenancy="system",  # every partner's first-sale credit: the job's system context
)
def expire_credits() -> int:
    """Scheduled by beat (daily): what is left of earned credit past its 12 months leaves
    the balance with an "expired" entry. Idempotent."""
    return credits_expire()


@shared_task(
    name="billing.remind_renewals",
    tenancy="system",  # every partner's licences ending soon: the job's system context
)
def remind_renewals() -> int:
    """Scheduled by beat (daily): email partners the licences due for renewal, once per
    licence and stage (30 and 7 days before the end)."""
    return renewal_reminders_send()


@shared_task(
    name="billing.send_mdf_email",
    tenancy="tenant",  # an email to one partner about its own marketing fund request
    autoretry_for=(OSError,),
    max_retries=5,
)
def send_mdf_email(*, organisation_id: str, request_id: str, event: str) -> int:
    return mdf_email_send(request_id=request_id, event=event)
