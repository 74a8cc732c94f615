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


#: The partner's emails about its referrals (templates deals/emails/referral_<event>).
REFERRAL_EVENTS = frozenset(
    {"lead_converted", "lead_declined", "fee_open", "fee_approved", "fee_paid"}
)


def referral_email_send(*, event: str, lead_id: str = "", fee_id: str = "") -> int:
    """Email the partner's administrators and its submitting member about a referral
    lead or fee (read here, in the partner's context); returns how many were sent."""
    from deals.models import ReferralFee, ReferralLead
    from deals.services.referrals import referral_fee_note

    if event not in REFERRAL_EVENTS:
        raise ValueError(f"unknown referral email {event!r}")
    if event.startswith("lead_"):
        lead = ReferralLead.objects.filter(pk=lead_id).first()
        if lead is None:
            return 0
        organisation_id, submitted_by_id = lead.organisation_id, lead.submitted_by_id
        context = {
            "reference": lead.reference,
            "customer_name": lead.customer_name,
            "sale_amount": lead.sale_amount,
            "commission_amount": lead.commission_amount,
            "commission_percent": lead.commission_percent,
            "currency": lead.currency,
            "reason": lead.decline_reason,
            "url": settings.PORTAL_BASE_URL + reverse("deals:referrals"),
        }
    else:
        fee = ReferralFee.objects.select_related("deal").filter(pk=fee_id).first()
        if fee is None:
            return 0
        organisation_id, submitted_by_id = fee.organisation_id, fee.deal.submitted_by_id
        context = {
            "reference": fee.deal.reference,
            "customer_name": fee.deal.customer_name,
            "fee_amount": fee.fee_amount,
            "discount_percent": fee.discount_percent,
            "list_amount": fee.list_amount,
            "currency": fee.currency,
            "note": referral_fee_note(fee.deal),
            "invoice_number": fee.invoice_number,
            "payment_reference": fee.payment_reference,
            "url": settings.PORTAL_BASE_URL + reverse("deals:detail", args=[fee.deal_id]),
        }
    members = Membership.objects.for_tenant(organisation_id).filter(user__is_active=True)
    recipients = sorted(
        set(members.filter(role__in=roles.MANAGE_TEAM).values_list("user__email", flat=True))
        | set(members.filter(user_id=submitted_by_id).values_list("user__email", flat=True))
    )
    for email in recipients:
        send_templated(to=[email], template=f"deals/emails/referral_{event}", context=context)
    return len(recipients)
