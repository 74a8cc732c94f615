"""Overdue invoices (SPEC §3.10): an invoice still unpaid after its due date is overdue
(billing.selectors.payments.invoices_overdue); the daily job billing.remind_overdue_invoices
reminds the invoiced organisation (administrators, finance people, the invoice email) when
it is 1, 15 and 30 days overdue.

Once per invoice and stage: the reminder row (unique invoice and stage) is written first,
in the invoice owner's context, and the email is sent by a task after that commits. A
second run, or a second scheduler running at once, finds the row and sends nothing. A job
that did not run for days sends only the latest stage reached, not every one it missed."""

from __future__ import annotations

import datetime
import logging

from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone

from billing.models import Invoice, InvoiceReminder
from billing.selectors.payments import invoices_overdue
from portal.audit.services import audit_record
from portal.formats import format_date
from portal.tenancy.context import tenant_context

logger = logging.getLogger(__name__)

#: Days overdue at which the partner is reminded.
OVERDUE_STAGES = (1, 15, 30)


def overdue_stage(days_overdue: int) -> int | None:
    """The latest reminder stage reached after ``days_overdue`` days (None before the first)."""
    reached = [stage for stage in OVERDUE_STAGES if stage <= days_overdue]
    return reached[-1] if reached else None


def overdue_reminders_send(*, today: datetime.date | None = None) -> int:
    """Remind every partner of its overdue invoices at the stage each has reached, once;
    returns how many reminders were sent. Runs in the job's system context, which lists
    the invoices of every partner; each reminder is written in its owner's context."""
    today = today or timezone.localdate()
    due = (
        invoices_overdue(today=today)
        .annotate(last_stage=Max("reminders__stage"))
        .values_list("pk", "organisation_id", "due_on", "last_stage")
        .order_by("due_on", "pk")
    )
    sent = 0
    for invoice_id, organisation_id, due_on, last_stage in due.iterator(chunk_size=500):
        stage = overdue_stage((today - due_on).days)
        if stage is None or (last_stage is not None and last_stage >= stage):
            continue
        with tenant_context(organisation_id), transaction.atomic():
            invoice = Invoice.objects.get(pk=invoice_id)
            if _remind(invoice=invoice, stage=stage, today=today):
                sent += 1
    if sent:
        logger.info("overdue invoices: %s reminded", sent)
    return sent


def _remind(*, invoice: Invoice, stage: int, today: datetime.date) -> bool:
    try:
        with transaction.atomic():  # only the reminder's insert may clash
            InvoiceReminder.objects.create(
                organisation_id=invoice.organisation_id, invoice=invoice, stage=stage
            )
    except IntegrityError:
        return False  # another run reminded this stage
    days = (today - invoice.due_on).days
    audit_record(
        actor=None,
        action="invoice.overdue_reminded",
        obj=invoice,
        organisation=invoice.organisation_id,
        after={"stage": stage, "days_overdue": days},
        summary=f"Invoice {invoice.reference} is {days} days overdue (due "
        f"{format_date(invoice.due_on)}): reminder sent",
    )
    from billing.tasks import send_payment_email  # tasks import the services

    send_payment_email.delay_on_commit(
        organisation_id=str(invoice.organisation_id),
        event="overdue",
        invoice_id=str(invoice.pk),
        proof_id="",
        days_overdue=days,
    )
    return True
