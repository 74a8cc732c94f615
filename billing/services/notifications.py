"""The partner's emails about its orders, sent by ``billing.send_order_email`` in the
partner's own context from ids: what the email says is read from the order then."""

from __future__ import annotations

from django.conf import settings
from django.urls import reverse

from billing.models import Order, OrderLine
from billing.selectors.payments import order_awaiting_payment
from billing.services.codes import redeem_code_url
from partners import roles
from partners.models import Membership
from portal.mail import send_templated

#: Every email a partner gets about an order (templates billing/emails/order_<event>).
ORDER_EVENTS = frozenset({"placed", "paid", "subscription_cancelled", "subscription_resumed"})


def order_recipients(*, order: Order) -> list[str]:
    """Who hears about an order: the member who placed it while they still are an active
    member of the owner, and the owner's administrators."""
    members = Membership.objects.for_tenant(order.organisation_id).filter(user__is_active=True)
    emails = set(members.filter(role__in=roles.MANAGE_TEAM).values_list("user__email", flat=True))
    if order.created_by_id is not None:
        emails.update(
            members.filter(user_id=order.created_by_id).values_list("user__email", flat=True)
        )
    return sorted(emails)


def order_email_send(*, order_id, event: str) -> int:
    """Send ``event``'s email about the order; returns how many were sent (none for an
    order this context cannot see)."""
    if event not in ORDER_EVENTS:
        raise ValueError(f"unknown order email {event!r}")
    order = Order.objects.prefetch_related("lines").filter(pk=order_id).first()
    if order is None:
        return 0
    lines = list(order.lines.all())
    has_codes = any(line.fulfilment == OrderLine.Fulfilment.CODES for line in lines)
    context = {
        "order": order,
        "lines": lines,
        # A programme that holds licences until payment: the email says what is awaited.
        "hold": order_awaiting_payment(order) if event == "placed" else None,
        "order_url": settings.PORTAL_BASE_URL + reverse("billing:order-detail", args=[order.pk]),
        # The partner hands the codes on: the email says where their customers use them.
        "redeem_url": redeem_code_url() if has_codes else "",
    }
    recipients = order_recipients(order=order)
    for email in recipients:  # one message each: no one sees whom else it went to
        send_templated(to=[email], template=f"billing/emails/order_{event}", context=context)
    return len(recipients)
