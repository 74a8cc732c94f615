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
from portal.permissions import require_staff_permission

STAFF_PERMISSION = "billing.cancel_subscriptions"
NO_STAFF_PERMISSION = (
    "Cancelling a partner's subscription needs the channel team's permission to cancel "
    "subscriptions."
)


def current_period_start(order: Order, *, today: datetime.date) -> datetime.date:
    """The first day of the period of the subscription running on ``today``."""
    started = timezone.localdate(order.created_at)
    return ([started, *period_starts_due(started=started, today=today)])[-1]


def subscription_ended(order: Order, *, today: datetime.date) -> bool:
    """Whether a cancelled subscription's last day has passed (it cannot be resumed)."""
    return order.subscription_end is not None and today > order.subscription_end


def _locked_subscription(*, organisation, order: Order) -> Order:
    """The organisation's own monthly order, row-locked to the commit (the period job takes
    the same lock before billing a period), or the refusal."""
    locked = (
        Order.objects.owned_by(organisation)
        .select_for_update(of=("self",))
        .filter(pk=order.pk)
        .first()
    )
    if locked is None:  # another partner's, or one a distributor only reads
        raise NotFound("No such order of yours.")
    if locked.billing_period != BillingPeriod.MONTHLY:
        raise Conflict(
            "Only a monthly subscription is cancelled: a yearly licence runs to its end "
            "and is renewed only if you renew it.",
            code="not_a_subscription",
        )
    if locked.status == Order.Status.CANCELLED:
        raise Conflict("This order is cancelled.", code="order_cancelled")
    return locked


def _subscription_change(*, order: Order, actor, event: str, end, summary: str) -> None:
    """Write the subscription's end (None: running), audit it and email the partner."""
    before = {
        "subscription_end": order.subscription_end.isoformat() if order.subscription_end else None
    }
    order.subscription_cancelled_at = timezone.now() if end is not None else None
    order.subscription_end = end
    order.save(update_fields=["subscription_cancelled_at", "subscription_end"])
    audit_record(
        actor=actor,
        action=f"order.subscription_{event}",
        obj=order,
        organisation=order.organisation_id,
        before=before,
        after={"subscription_end": end.isoformat() if end is not None else None},
        summary=summary,
    )
    from billing.tasks import send_order_email  # tasks import the services

    send_order_email.delay_on_commit(
        organisation_id=str(order.organisation_id),
        order_id=str(order.pk),
        event=f"subscription_{event}",
    )


def subscription_cancel(
    *, organisation, order: Order, actor, role: str | None, today: datetime.date | None = None
) -> Order:
    """Cancel the monthly subscription of ``order`` (the organisation's own) at the end of
    its current period; returns the order. Refused for a yearly order, a cancelled order
    and a subscription already cancelled."""
    require_buyer_role(role)
    return _cancel(organisation=organisation, order=order, actor=actor, today=today)


def subscription_cancel_for_partner(
    *, actor, order: Order, today: datetime.date | None = None
) -> Order:
    """The channel team cancels a subscription when its partner asks (the admin): the
    same rules, under ``billing.cancel_subscriptions``."""
    require_staff_permission(actor, STAFF_PERMISSION, NO_STAFF_PERMISSION)
    return _cancel(organisation=order.organisation_id, order=order, actor=actor, today=today)


def _cancel(*, organisation, order: Order, actor, today: datetime.date | None) -> Order:
    today = today or timezone.localdate()
    with transaction.atomic():
        order = _locked_subscription(organisation=organisation, order=order)
        if order.subscription_cancelled_at is not None:
            raise Conflict(
                f"This subscription is already cancelled: it ends on "
                f"{order.subscription_end:%d %b %Y}.",
                code="subscription_cancelled",
            )
        _, end = period_of(
            start=current_period_start(order, today=today), billing_period=order.billing_period
        )
        _subscription_change(
            order=order,
            actor=actor,
            event="cancelled",
            end=end,
            summary=f"Monthly subscription {order.reference} cancelled: its licences run to "
            f"{end:%d %b %Y}, no later month is billed",
        )
    return order


def subscription_resume(
    *, organisation, order: Order, actor, role: str | None, today: datetime.date | None = None
) -> Order:
    """Take a cancellation back before the subscription has ended: the next month is
    billed as if it had never been cancelled. After its end, a new order is needed."""
    require_buyer_role(role)
    today = today or timezone.localdate()
    with transaction.atomic():
        order = _locked_subscription(organisation=organisation, order=order)
        if order.subscription_cancelled_at is None:
            raise Conflict("This subscription is running.", code="subscription_running")
        if subscription_ended(order, today=today):
            raise Conflict(
                f"This subscription ended on {order.subscription_end:%d %b %Y}: place a new "
                "order to subscribe again.",
                code="subscription_ended",
            )
        _subscription_change(
            order=order,
            actor=actor,
            event="resumed",
            end=None,
            summary=f"Monthly subscription {order.reference} resumed: the next month is "
            "billed as usual",
        )
    return order
