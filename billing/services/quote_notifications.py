"""Emails about quotes, sent by ``billing.send_quote_email`` in the partner's context from
ids: the partner's news that its quote's PDFs are ready, the customer's signature request
(its link made here, never carried by the task) and the partner's news that the customer
signed."""

from __future__ import annotations

from django.conf import settings
from django.urls import reverse

from billing.models import Quote
from billing.services.notifications import order_recipients
from billing.services.quote_signature import signature_url
from portal.mail import send_templated

QUOTE_EVENTS = frozenset({"ready", "signature", "signed"})


def quote_email_send(*, quote_id, event: str) -> int:
    """Send ``event``'s email about the quote; returns how many were sent (none for a quote
    this context cannot see, or one no longer waiting for what the email asks)."""
    if event not in QUOTE_EVENTS:
        raise ValueError(f"unknown quote email {event!r}")
    quote = (
        Quote.objects.select_related("organisation").prefetch_related("lines").filter(pk=quote_id)
    ).first()
    if quote is None:
        return 0
    context = {"quote": quote, "lines": list(quote.lines.all()), "seller": quote.organisation}
    if event == "signature":
        if quote.status != Quote.Status.SENT or quote.signature_token is None:
            return 0  # cancelled or signed since: no link to a quote that cannot be signed
        context["signature_url"] = signature_url(quote)
        recipients = [quote.customer_email]
    else:
        context["quote_url"] = settings.PORTAL_BASE_URL + reverse(
            "billing:quote-detail", args=[quote.pk]
        )
        # The recipients of an order's news are the quote's too (its author, the admins).
        recipients = order_recipients(order=quote)
    for email in recipients:  # one message each: no one sees whom else it went to
        send_templated(to=[email], template=f"billing/emails/quote_{event}", context=context)
    return len(recipients)
