"""The end of an approved registration's protection (SPEC §3.6): the beat job
(``deals.expire_registrations``) expires the registrations whose protection has ended
unless they were won, and reminds each partner once, a week (the programme's
``deal_expiry_reminder_days``) before its protection ends. Staff extending a registration
clears its reminder, so the new end is announced too.

Each registration changes in its own transaction, under its row lock, re-checked after the
lock: two runs at once expire or remind a registration once.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from datetime import timedelta

from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from deals.models import Deal, DealEvent
from deals.services.registrations import deal_event, notify_partner
from partners.models import Programme
from portal.audit.services import audit_record
from portal.formats import format_date

Status = Deal.Status


@dataclass(frozen=True)
class ExpiryRun:
    expired: int
    reminded: int


def deals_expire(*, today: datetime.date | None = None) -> ExpiryRun:
    today = today or timezone.localdate()
    expired = sum(
        _expire(deal_id=pk, today=today)
        for pk in Deal.objects.filter(
            status=Status.APPROVED, protected_until__lt=today
        ).values_list("pk", flat=True)
    )
    longest = Programme.objects.aggregate(days=Max("deal_expiry_reminder_days"))["days"] or 0
    candidates = Deal.objects.filter(
        status=Status.APPROVED,
        expiry_reminder_sent_at__isnull=True,
        protected_until__gte=today,
        protected_until__lte=today + timedelta(days=longest),
    ).values_list("pk", flat=True)
    reminded = sum(_remind(deal_id=pk, today=today) for pk in candidates)
    return ExpiryRun(expired=expired, reminded=reminded)


def _locked(deal_id) -> Deal | None:
    return (
        Deal.objects.select_for_update(of=("self",))
        .select_related("product__programme")
        .filter(pk=deal_id, status=Status.APPROVED)
        .first()
    )


@transaction.atomic
def _expire(*, deal_id, today: datetime.date) -> bool:
    deal = _locked(deal_id)
    if deal is None or deal.protected_until >= today:
        return False  # won, lost, extended or expired meanwhile
    deal.status = Status.EXPIRED
    deal.save(update_fields=["status", "updated_at"])
    deal_event(
        deal=deal,
        kind=DealEvent.Kind.EXPIRED,
        text=f"The protection ended on {format_date(deal.protected_until)}.",
        by_channel_team=True,
    )
    audit_record(
        actor=None,
        action="deal.expired",
        obj=deal,
        organisation=deal.organisation_id,
        before={"status": Status.APPROVED},
        after={"status": deal.status},
        summary=f"Deal {deal.reference} expired (protected until "
        f"{format_date(deal.protected_until)})",
    )
    notify_partner(deal, "expired")
    return True


@transaction.atomic
def _remind(*, deal_id, today: datetime.date) -> bool:
    deal = _locked(deal_id)
    if deal is None or deal.expiry_reminder_sent_at is not None:
        return False
    days_left = (deal.protected_until - today).days
    if days_left > deal.product.programme.deal_expiry_reminder_days:
        return False
    deal.expiry_reminder_sent_at = timezone.now()
    deal.save(update_fields=["expiry_reminder_sent_at", "updated_at"])
    deal_event(
        deal=deal,
        kind=DealEvent.Kind.REMINDED,
        text=f"The protection ends on {format_date(deal.protected_until)}.",
        by_channel_team=True,
    )
    audit_record(
        actor=None,
        action="deal.expiry_reminded",
        obj=deal,
        organisation=deal.organisation_id,
        after={"expiry_reminder_sent_at": deal.expiry_reminder_sent_at},
        summary=f"Deal {deal.reference}: the partner was reminded that its protection ends "
        f"on {format_date(deal.protected_until)}",
    )
    notify_partner(deal, "expiring")
    return True
