"""Overdue invoices (issue 11: "overdue invoices are flagged and reminded"): unpaid after
their due date; the daily job reminds the partner at 1, 15 and 30 days overdue, once per
invoice and stage however often it runs, never for a paid invoice or a credit note."""

from __future__ import annotations

import datetime

import pytest
from django.core import mail
from django.utils import timezone

from billing.models import Invoice, InvoiceReminder
from billing.selectors.invoices import with_payment_state
from billing.selectors.payments import (
    invoice_payment_state,
    invoices_overdue,
)
from billing.services.overdue import overdue_reminders_send, overdue_stage
from billing.tasks import remind_overdue_invoices
from portal.models import AuditEvent
from tests.billing.payment_support import issued_invoice, mark_paid
from tests.billing.test_pricing_rules import FR_VAT
from tests.partners.factories_team import member_of
from tests.tenancy_support import observer

DAY = datetime.timedelta(days=1)


@pytest.fixture
def buyer(partner):
    return partner("reseller", tier=1, country="FR", vat_number=FR_VAT)


def due_days_ago(organisation, days: int) -> Invoice:
    """An invoice issued 30 + ``days`` days ago: due ``days`` days ago."""
    return issued_invoice(organisation, issued_on=timezone.localdate() - (30 + days) * DAY)


def reminders() -> list[tuple[str, int]]:
    with observer():
        return sorted(InvoiceReminder.objects.values_list("invoice__reference", "stage"))


def test_an_invoice_unpaid_after_its_due_date_is_overdue(buyer):
    today = timezone.localdate()
    due_today = due_days_ago(buyer.organisation, 0)
    late = due_days_ago(buyer.organisation, 3)
    paid = due_days_ago(buyer.organisation, 5)
    mark_paid(paid)
    credit_note = issued_invoice(
        buyer.organisation,
        issued_on=today - 40 * DAY,
        kind=Invoice.Kind.CREDIT_NOTE,
        credited=paid,
    )
    with observer():
        assert list(invoices_overdue()) == [late]
        listed = {i.pk: i for i in with_payment_state(Invoice.objects.all())}
        states = {
            name: invoice_payment_state(invoice)
            for name, invoice in [
                ("due", due_today),
                ("late", late),
                ("paid", paid),
                ("credit", credit_note),
            ]
        }
    assert listed[late.pk].payment_state == "overdue"
    assert listed[due_today.pk].payment_state == "unpaid"
    assert listed[paid.pk].payment_state == "paid"
    assert listed[paid.pk].paid_on == today
    assert listed[credit_note.pk].payment_state == "credit_note"
    assert (states["late"].status, states["late"].days_overdue) == ("overdue", 3)
    assert states["due"].status == "due"
    assert (states["paid"].status, states["paid"].paid_on) == ("paid", today)
    assert states["credit"].status == "credit_note"


def test_the_stages(db):
    assert [overdue_stage(d) for d in (0, 1, 14, 15, 29, 30, 400)] == [
        None,
        1,
        1,
        15,
        15,
        30,
        30,
    ]


def test_each_stage_is_reminded_once_however_often_the_job_runs(
    buyer, django_capture_on_commit_callbacks
):
    finance = member_of(buyer, role="finance")
    sales = member_of(buyer, role="sales")
    invoice = due_days_ago(buyer.organisation, 0)
    due = invoice.due_on

    def run(day: datetime.date) -> int:
        with django_capture_on_commit_callbacks(execute=True):
            return overdue_reminders_send(today=day)

    mail.outbox.clear()
    assert run(due) == 0  # due today: not overdue yet
    assert run(due + DAY) == 1
    assert run(due + DAY) == 0  # the same day again
    assert run(due + 2 * DAY) == 0  # still stage 1
    assert reminders() == [(invoice.reference, 1)]
    emails = [m for m in mail.outbox if "overdue" in m.subject]
    assert sorted(m.to[0] for m in emails) == sorted([buyer.admin.email, finance.user.email])
    assert sales.user.email not in {m.to[0] for m in emails}
    assert invoice.reference in emails[0].subject
    assert "1 day overdue" in emails[0].body
    assert "IBAN" in emails[0].body
    assert invoice.payment_reference in emails[0].body
    assert f"/space/invoices/{invoice.pk}/" in emails[0].body

    assert run(due + 15 * DAY) == 1
    assert run(due + 16 * DAY) == 0
    assert reminders() == [(invoice.reference, 1), (invoice.reference, 15)]
    with observer():
        assert AuditEvent.objects.filter(action="invoice.overdue_reminded").count() == 2


def test_a_job_that_missed_days_sends_the_latest_stage_only(buyer):
    invoice = due_days_ago(buyer.organisation, 0)
    assert overdue_reminders_send(today=invoice.due_on + 40 * DAY) == 1
    assert reminders() == [(invoice.reference, 30)]
    assert overdue_reminders_send(today=invoice.due_on + 41 * DAY) == 0


def test_paid_invoices_and_credit_notes_are_not_reminded(buyer, django_capture_on_commit_callbacks):
    paid = due_days_ago(buyer.organisation, 2)
    mark_paid(paid)
    issued_invoice(
        buyer.organisation,
        issued_on=timezone.localdate() - 45 * DAY,
        kind=Invoice.Kind.CREDIT_NOTE,
        credited=paid,
    )
    assert overdue_reminders_send() == 0
    assert reminders() == []


def test_an_invoice_paid_before_its_reminder_is_emailed_gets_none(
    buyer, django_capture_on_commit_callbacks
):
    invoice = due_days_ago(buyer.organisation, 1)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        assert overdue_reminders_send() == 1
    mark_paid(invoice)
    for callback in callbacks:
        callback()
    assert [m for m in mail.outbox if "overdue" in m.subject] == []


def test_the_beat_task_runs_in_its_system_context_for_every_partner(
    buyer, partner, django_capture_on_commit_callbacks
):
    other = partner("reseller", tier=1, country="DE")
    mine = due_days_ago(buyer.organisation, 1)
    theirs = due_days_ago(other.organisation, 15)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        assert remind_overdue_invoices.delay().get() == 2
    assert reminders() == sorted([(mine.reference, 1), (theirs.reference, 15)])
    # Each partner hears of its own invoice only
    to_other = [m for m in mail.outbox if m.to == [other.admin.email]]
    assert [m.subject for m in to_other] == [f"Invoice {theirs.reference} is overdue (15 days)"]
