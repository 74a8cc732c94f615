"""Monthly subscriptions (SPEC §3.10): a monthly order bills one period at a time. Its first
period is invoiced with the order; the daily job (billing.issue_period_invoices) issues
each later period's invoice once it starts and moves the order's licences to the period's
end, until the partner cancels the subscription (billing.services.subscriptions).
Idempotent per subscription and period: the invoice's unique (order, period) makes a
second run, or a second scheduler running at once, find the first invoice."""

from __future__ import annotations

import datetime
from collections import defaultdict

from django.db import transaction
from django.utils import timezone

from billing.models import Invoice, Order
from billing.services.invoices import invoice_issue_for_order, period_of
from licensing.models import BillingPeriod, LicenceEvent
from licensing.services.licences import add_months, licence_term_extend
from portal.tenancy.context import tenant_context


def period_starts_due(*, started: datetime.date, today: datetime.date) -> list[datetime.date]:
    """Every later period's first day from ``started`` up to ``today``."""
    starts, k = [], 1
    while (start := add_months(started, k)) <= today:
        starts.append(start)
        k += 1
    return starts


def period_invoices_issue(*, today: datetime.date | None = None) -> int:
    """Issue every started period's missing invoice, for every partner (the job's system
    context lists them; each subscription is billed in its owner's context). Returns how
    many invoices were issued."""
    today = today or timezone.localdate()
    orders = list(
        Order.objects.filter(billing_period=BillingPeriod.MONTHLY)
        .exclude(status=Order.Status.CANCELLED)
        .values_list("pk", "organisation_id", "created_at", "subscription_end")
    )
    invoiced = defaultdict(set)
    for order_id, start in Invoice.objects.filter(
        order_id__in=[pk for pk, *_ in orders], kind=Invoice.Kind.INVOICE
    ).values_list("order_id", "period_start"):
        invoiced[order_id].add(start)
    issued = 0
    for order_id, organisation_id, created_at, subscription_end in orders:
        missing = [
            start
            for start in period_starts_due(started=timezone.localdate(created_at), today=today)
            if start not in invoiced[order_id] and _billable(start, subscription_end)
        ]
        for start in missing:
            with tenant_context(organisation_id), transaction.atomic():
                # The cancellation's lock (billing.services.subscriptions): a period and a
                # cancellation at the same moment are judged one after the other.
                order = (
                    Order.objects.select_for_update(of=("self",))
                    .select_related("distributor")
                    .get(pk=order_id)
                )
                if not _billable(start, order.subscription_end):
                    continue
                period_bill(order=order, period_start=start)
                issued += 1
    return issued


def _billable(start: datetime.date, subscription_end: datetime.date | None) -> bool:
    """Whether the period starting on ``start`` is billed: every one, until the partner
    cancels; then none after the cancelled subscription's end."""
    return subscription_end is None or start <= subscription_end


def period_bill(*, order: Order, period_start: datetime.date) -> Invoice:
    """One period of a monthly subscription: its invoice and its licences' new end."""
    invoice = invoice_issue_for_order(
        order=order, actor=None, purpose=Invoice.Purpose.PERIOD, period_start=period_start
    )
    _, period_end = period_of(start=period_start, billing_period=BillingPeriod.MONTHLY)
    for licence_id in order.lines.exclude(licence=None).values_list("licence_id", flat=True):
        licence_term_extend(
            actor=None,
            licence_id=licence_id,
            ends_on=period_end,
            kind=LicenceEvent.Kind.RENEWED,
            reason=f"Monthly subscription {order.reference} billed ({invoice.reference})",
        )
    return invoice
