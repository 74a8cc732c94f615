"""The partner's emails about its registrations, sent by ``deals.send_deal_email`` in the
partner's own context from ids: what the email says is read from the registration then."""

from __future__ import annotations

from django.conf import settings
from django.urls import reverse

from deals.models import Deal, DealEvent
from partners import roles
from partners.models import Membership
from portal.formats import format_date
from portal.mail import send_templated

#: Every email a partner gets about a registration (templates deals/emails/deal_<event>).
EVENTS = frozenset(
    {
        "received",
        "conflict",
        "info_requested",
        "approved",
        "rejected",
        "extended",
        "expiring",
        "expired",
    }
)


def deal_recipients(*, deal: Deal) -> list[str]:
    """Who hears about a registration: the member who submitted it while they still are
    an active member; otherwise the organisation's administrators."""
    members = Membership.objects.for_tenant(deal.organisation_id).filter(user__is_active=True)
    if deal.submitted_by_id is not None:
        submitter = members.filter(user_id=deal.submitted_by_id).values_list(
            "user__email", flat=True
        )
        if submitter:
            return list(submitter)
    return list(
        members.filter(role__in=roles.MANAGE_TEAM)
        .order_by("user__email")
        .values_list("user__email", flat=True)
    )


def deal_email_send(*, deal_id, event: str) -> int:
    """Send ``event``'s email about the registration; returns how many were sent (none
    for a registration this context cannot see)."""
    if event not in EVENTS:
        raise ValueError(f"unknown deal email {event!r}")
    deal = Deal.objects.select_related("product").filter(pk=deal_id).first()
    if deal is None:
        return 0
    question = (
        deal.events.filter(kind=DealEvent.Kind.QUESTION).order_by("-at", "-id").first()
        if event == "info_requested"
        else None
    )
    context = {
        "reference": deal.reference,
        "customer_name": deal.customer_name,
        "customer_domain": deal.customer_domain,
        "product": str(deal.product),
        "status": deal.get_status_display(),
        "in_conflict": deal.status == Deal.Status.CONFLICT,
        "protected_until": format_date(deal.protected_until) if deal.protected_until else "",
        "rejection_reason": deal.rejection_reason,
        "question": question.text if question else "",
        "deal_url": settings.PORTAL_BASE_URL + reverse("deals:detail", args=[deal.pk]),
    }
    recipients = deal_recipients(deal=deal)
    for email in recipients:  # one message each: no one sees whom else it went to
        send_templated(to=[email], template=f"deals/emails/deal_{event}", context=context)
    return len(recipients)
