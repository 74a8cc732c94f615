"""Cancelling a monthly subscription (SPEC §3.10): the partner stops a monthly order
before its next period. The period already billed runs to its end (it is paid for): the
order's ``subscription_end`` is that period's last day, the daily job
(billing.services.periods) bills no period after it, and the licences, extended only
to it, expire the day after (licensing.services.expiry). Nothing is refunded or credited.

A yearly order is not a subscription: its licence runs to its end and is renewed only if
the partner renews it (billing.services.renewals).
"""

from __future__ import annotations

import datetime

from django.db import transaction
from django.utils import timezone

from billing.models import Order
from billing.services.invoices import period_of
from billing.services.orders import require_buyer_role
from billing.services.periods import period_starts_due
from licensing.models import BillingPeriod
from portal.audit.services import audit_record
from portal.errors import Conflict, NotFound


def current_period_start(order: Order, *, today: datetime.date) -> datetime.date:
    """The first day of the period of the subscription running on ``today``."""
    started = timezone.localdate(order.created_at)
    return ([started, *period_starts_due(started=started, today=today)])[-1]


def subscription_cancel(
    *, organisation, order: Order, actor, role: str | None, today: datetime.date | None = None
) -> Order:
    """Cancel the monthly subscription of ``order`` (the organisation's own) at the end of
    its current period; returns the order. Refused for a yearly order, a cancelled order
    and a subscription already cancelled."""
    require_buyer_role(role)
    today = today or timezone.localdate()
    with transaction.atomic():
        # The period job takes the same lock before billing a period.
        order = (
            Order.objects.owned_by(organisation)
            .select_for_update(of=("self",))
            .filter(pk=order.pk)
            .first()
        )
        if order is None:  # another partner's, or one a distributor only reads
            raise NotFound("No such order of yours.")
        if order.billing_period != BillingPeriod.MONTHLY:
            raise Conflict(
                "Only a monthly subscription is cancelled: a yearly licence runs to its end "
                "and is renewed only if you renew it.",
                code="not_a_subscription",
            )
        if order.status == Order.Status.CANCELLED:
            raise Conflict("This order is cancelled.", code="order_cancelled")
        if order.subscription_cancelled_at is not None:
            raise Conflict(
                f"This subscription is already cancelled: it ends on "
                f"{order.subscription_end:%d %b %Y}.",
                code="subscription_cancelled",
            )
        _, end = period_of(
            start=current_period_start(order, today=today), billing_period=order.billing_period
        )
        order.subscription_cancelled_at = timezone.now()
        order.subscription_end = end
        order.save(update_fields=["subscription_cancelled_at", "subscription_end"])
        audit_record(
            actor=actor,
            action="order.subscription_cancelled",
            obj=order,
            organisation=order.organisation_id,
            before={"subscription_end": None},
            after={"subscription_end": end.isoformat()},
            summary=f"Monthly subscription {order.reference} cancelled: its licences run to "
            f"{end:%d %b %Y}, no later month is billed",
        )
        from billing.tasks import send_order_email  # tasks import the services

        send_order_email.delay_on_commit(
            organisation_id=str(order.organisation_id),
            order_id=str(order.pk),
            event="subscription_cancelled",
        )
    return order
