"""The channel team's side of deal registration (SPEC §3.6): approve, reject with a
reason, ask for information, extend the protection. The admin and the staff API call these.

Approval is where deal blocking bites. Approvals of one opportunity take its transaction
advisory lock first (``_lock_opportunity``), so they run one after the other: each sees
the holder the previous one committed, and the one that holds flags the others' waiting
registrations without waiting on their rows (two approvals that each held their own row
and waited for the other's index entry deadlocked). The database's partial unique index
(one ``approved`` registration per opportunity) is the guarantee under that order: a
writer that skipped the lock still cannot make a second holder, and its integrity error
becomes a ``Conflict`` here. Of many approvals at once, one commits and the others get a
``Conflict``, never an error of the database. The channel team sees every partner, so its
messages may name the holder; the partners' emails and history never do.
"""

from __future__ import annotations

from datetime import timedelta

from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from deals.models import Deal, DealEvent
from deals.selectors.registrations import opportunity_holder
from deals.services.registrations import deal_conflict_event, deal_event, notify_partner
from portal.audit.services import audit_record
from portal.errors import Conflict, DomainError
from portal.formats import format_date
from portal.permissions import require_staff_permission

Status = Deal.Status

#: Approving, rejecting, asking and extending are one decision right.
REVIEW_PERMISSION = "deals.review_deal"
_NOT_A_REVIEWER = "Deciding on deal registrations needs the permission to review them."
HELD_NOW = (
    "Another registration for this customer and product was approved a moment ago; this "
    "one cannot be approved while it holds."
)
MAX_TEXT = 5000
MAX_EXTENSION_DAYS = 365


def _lock_opportunity(deal: Deal) -> None:
    """Serialise the approvals of ``deal``'s opportunity (its domain and product never
    change) until the transaction ends."""
    key = f"deals.opportunity:{deal.product_id}:{deal.customer_domain}"
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(hashtextextended(%s, 0))", [key])


def _lock_open(deal: Deal) -> Deal:
    locked = (
        Deal.objects.select_for_update(of=("self",))
        .select_related("product__programme", "organisation")
        .get(pk=deal.pk)
    )
    if not locked.is_open:
        raise Conflict(
            f"This registration is already {locked.get_status_display().lower()}.",
            code="deal_closed",
        )
    return locked


def _text(value: str, *, field: str, missing: str) -> str:
    text = (value or "").strip()
    if not text:
        raise DomainError(missing, field=field, code="required")
    if len(text) > MAX_TEXT:
        raise DomainError(f"Keep it under {MAX_TEXT} characters.", field=field, code="too_long")
    return text


def _state(deal: Deal) -> dict:
    return {
        "status": deal.status,
        "protected_until": deal.protected_until,
        "rejection_reason": deal.rejection_reason,
    }


def _record(
    deal: Deal,
    event: str,
    *,
    actor,
    before: dict,
    kind: str,
    text: str,
    summary: str,
    after: dict | None = None,
) -> None:
    """A decision's history event (by the channel team), its audit row ``deal.<event>``
    (``_state`` before and after, with ``after``) and the partner's email ``event``."""
    deal_event(deal=deal, kind=kind, actor=actor, text=text, by_channel_team=True)
    audit_record(
        actor=actor,
        action=f"deal.{event}",
        obj=deal,
        organisation=deal.organisation_id,
        before=before,
        after={**_state(deal), **(after or {})},
        summary=summary,
    )
    notify_partner(deal, event)


@transaction.atomic
def deal_approve(*, deal: Deal, actor) -> Deal:
    require_staff_permission(actor, REVIEW_PERMISSION, _NOT_A_REVIEWER)
    _lock_opportunity(deal)
    deal = _lock_open(deal)
    holder = opportunity_holder(deal=deal)
    if holder is not None:
        raise Conflict(
            f"{holder.reference} of {holder.organisation.name} holds this customer and "
            f"product until {format_date(holder.protected_until)}; this registration can "
            "be approved once it no longer does.",
            code="opportunity_held",
        )
    before = _state(deal)
    now = timezone.now()
    deal.status = Status.APPROVED
    deal.protected_until = timezone.localdate() + timedelta(
        days=deal.product.programme.protection_window_days
    )
    deal.decided_at = now
    deal.decided_by = actor
    deal.expiry_reminder_sent_at = None
    try:
        with transaction.atomic():
            deal.save(
                update_fields=[
                    "status",
                    "protected_until",
                    "decided_at",
                    "decided_by",
                    "expiry_reminder_sent_at",
                    "updated_at",
                ]
            )
    except IntegrityError as exc:  # the one-holder index: a concurrent approval won
        raise Conflict(HELD_NOW, code="opportunity_held") from exc
    _record(
        deal,
        "approved",
        actor=actor,
        before=before,
        kind=DealEvent.Kind.APPROVED,
        text=f"Protected until {format_date(deal.protected_until)}.",
        summary=f"Deal {deal.reference} approved, protected until "
        f"{format_date(deal.protected_until)}",
    )
    _flag_others_in_conflict(deal)
    return deal


def _flag_others_in_conflict(holder: Deal) -> None:
    """Other partners' registrations of the held opportunity that wait for review are now
    in conflict: each partner is told so, and nothing about the holder."""
    others = (
        Deal.objects.select_for_update(of=("self",))
        .filter(
            customer_domain=holder.customer_domain,
            product_id=holder.product_id,
            status=Status.SUBMITTED,
        )
        .exclude(organisation_id=holder.organisation_id)
        .order_by("pk")
    )
    for other in others:
        other.status = Status.CONFLICT
        other.save(update_fields=["status", "updated_at"])
        deal_conflict_event(other)
        audit_record(
            actor=None,
            action="deal.conflict",
            obj=other,
            organisation=other.organisation_id,
            before={"status": Status.SUBMITTED},
            after={"status": other.status},
            summary=f"Deal {other.reference} is in conflict with another registration",
        )
        notify_partner(other, "conflict")


@transaction.atomic
def deal_reject(*, deal: Deal, actor, reason: str) -> Deal:
    require_staff_permission(actor, REVIEW_PERMISSION, _NOT_A_REVIEWER)
    reason = _text(reason, field="reason", missing="Give the partner a reason.")
    deal = _lock_open(deal)
    before = _state(deal)
    deal.status = Status.REJECTED
    deal.rejection_reason = reason
    deal.decided_at = timezone.now()
    deal.decided_by = actor
    deal.save(
        update_fields=["status", "rejection_reason", "decided_at", "decided_by", "updated_at"]
    )
    _record(
        deal,
        "rejected",
        actor=actor,
        before=before,
        kind=DealEvent.Kind.REJECTED,
        text=reason,
        summary=f"Deal {deal.reference} rejected",
    )
    return deal


@transaction.atomic
def deal_request_info(*, deal: Deal, actor, question: str) -> Deal:
    """Ask the partner a question; its answer brings the registration back to review."""
    require_staff_permission(actor, REVIEW_PERMISSION, _NOT_A_REVIEWER)
    question = _text(question, field="question", missing="Say what you need to know.")
    deal = _lock_open(deal)
    before = _state(deal)
    deal.status = Status.MORE_INFO_REQUESTED
    deal.save(update_fields=["status", "updated_at"])
    _record(
        deal,
        "info_requested",
        actor=actor,
        before=before,
        kind=DealEvent.Kind.QUESTION,
        text=question,
        summary=f"More information requested on deal {deal.reference}",
        after={"question": question},
    )
    return deal


@transaction.atomic
def deal_extend(*, deal: Deal, actor, days: int) -> Deal:
    """Lengthen an approved registration's protection by ``days`` (from its current end,
    or from today if that is past); the partner is reminded again before the new end."""
    require_staff_permission(actor, REVIEW_PERMISSION, _NOT_A_REVIEWER)
    if not isinstance(days, int) or isinstance(days, bool) or not 1 <= days <= MAX_EXTENSION_DAYS:
        raise DomainError(
            f"Extend by 1 to {MAX_EXTENSION_DAYS} days.", field="days", code="invalid"
        )
    deal = Deal.objects.select_for_update(of=("self",)).get(pk=deal.pk)
    if deal.status != Status.APPROVED:
        raise Conflict(
            "Only an approved registration's protection can be extended.", code="not_approved"
        )
    before = _state(deal)
    start = max(deal.protected_until, timezone.localdate())
    deal.protected_until = start + timedelta(days=days)
    deal.expiry_reminder_sent_at = None
    deal.save(update_fields=["protected_until", "expiry_reminder_sent_at", "updated_at"])
    _record(
        deal,
        "extended",
        actor=actor,
        before=before,
        kind=DealEvent.Kind.EXTENDED,
        text=f"Protected until {format_date(deal.protected_until)}.",
        summary=f"Deal {deal.reference}: protection extended to "
        f"{format_date(deal.protected_until)}",
    )
    return deal
