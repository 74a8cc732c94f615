"""What counts as a customer sale for the tier evaluation (SPEC §3.4): new orders,
renewals and upgrades for end-customer use (the reseller space); an upgrade only if it was
placed at least ``UPGRADE_COUNTS_AFTER_MONTHS`` months after the previous order or renewal
of that subscription (the licence's previous sale). Internal-use (personal space, NFR)
sales never count."""

from __future__ import annotations

from django.utils import timezone

from billing.models import Order, OrderLine, Space
from licensing.services.licences import add_months

UPGRADE_COUNTS_AFTER_MONTHS = 3


def previous_sale(order: Order) -> Order | None:
    """The order before ``order`` of the licence it changed (an upgrade's, a renewal's)."""
    licence_ids = [
        licence_id
        for licence_id in order.lines.values_list("licence_id", flat=True)
        if licence_id is not None
    ]
    line = (
        OrderLine.objects.filter(licence_id__in=licence_ids, order__created_at__lt=order.created_at)
        .exclude(order=order)
        .select_related("order")
        .order_by("-order__created_at", "-order_id")
        .first()
    )
    return line.order if line is not None else None


def counts_as_customer_sale(order: Order) -> bool:
    if order.space != Space.RESELLER:
        return False
    if order.kind != Order.Kind.UPGRADE:
        return True
    previous = previous_sale(order)
    if previous is None:
        return True
    placed = timezone.localdate(order.created_at)
    return placed >= add_months(
        timezone.localdate(previous.created_at), UPGRADE_COUNTS_AFTER_MONTHS
    )
