"""Redeeming engagement points for a benefit (SPEC §3.9): an organisation's administrators
apply; the channel team (``pes.review_redemptions``) approves (a negative ledger entry,
kind redemption) or rejects with a reason.

* Money-like rule: an application holds its points from the moment it is made
  (pes.selectors.score.redeemable_balance), and is refused over the balance. The balance
  is read and the application written under the organisation's points lock (a
  transaction-level advisory lock): concurrent applications are taken one at a time and
  can never spend the same points twice.
* A redemption spends the balance only: it never lowers the score a tier asks for.
* Every change is audited; the applicant is emailed about the decision after the commit.
"""

from __future__ import annotations

from django.db import connection, transaction
from django.utils import timezone

from billing.services.payments import _text_clean
from partners import roles
from pes.models import Benefit, PointsEntry, Redemption
from pes.selectors.score import redeemable_balance
from pes.services.decisions import decision_write
from pes.services.ledger import entry_write
from pes.services.notifications import decision_notify
from portal.audit.services import audit_record
from portal.errors import Conflict, DomainError, Forbidden, NotFound
from portal.permissions import require_staff_permission

REVIEW_PERMISSION = "pes.review_redemptions"
NO_PERMISSION = "Deciding on redemptions needs the channel team's permission to review them."
NOTE_MAX = 500
REASON_MAX = 500
S = Redemption.Status


def points_lock(organisation_id) -> None:
    """The organisation's points lock, until the transaction ends. Taken before reading the
    balance by whatever spends it."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pg_advisory_xact_lock(hashtextextended(%s, 0))",
            [f"pes.points:{organisation_id}"],
        )


def redeemable_benefits(*, organisation):
    return Benefit.objects.filter(
        programme_id=organisation.partner_type.programme_id, active=True
    ).order_by("points", "name")


def _snapshot(redemption: Redemption) -> dict:
    return {"status": redemption.status, "points": redemption.points}


def redemption_apply(*, organisation, actor, role: str | None, data: dict) -> Redemption:
    """Apply to redeem points for a benefit (``data``: benefit (its code), note)."""
    if role not in roles.REDEEM_POINTS:
        raise Forbidden("Only your organisation's administrators redeem its points.")
    code = str(data.get("benefit") or "").strip()
    benefit = redeemable_benefits(organisation=organisation).filter(code=code).first()
    if benefit is None:
        raise DomainError("Choose a benefit of your programme.", field="benefit", code="invalid")
    note = _text_clean(
        data.get("note"), field="note", limit=NOTE_MAX, required=False, what="the note"
    )
    with transaction.atomic():
        points_lock(organisation.pk)
        balance = redeemable_balance(organisation=organisation)
        if benefit.points > balance:
            raise DomainError(
                f"{benefit.name} costs {benefit.points} points; you have {balance} to redeem.",
                field="benefit",
                code="over_balance",
            )
        redemption = Redemption.objects.create(
            organisation=organisation,
            benefit=benefit,
            points=benefit.points,
            note=note,
            requested_by=actor if getattr(actor, "is_authenticated", False) else None,
        )
        audit_record(
            actor=actor,
            action="pes_redemption.requested",
            obj=redemption,
            organisation=organisation,
            after={**_snapshot(redemption), "benefit": benefit.code},
            summary=f"Points redemption: {benefit.name} ({benefit.points} points)",
        )
    return redemption


def _lock(redemption_id) -> Redemption:
    organisation_id = (
        Redemption.objects.filter(pk=redemption_id)
        .values_list("organisation_id", flat=True)
        .first()
    )
    if organisation_id is None:
        raise NotFound("No such redemption.")
    points_lock(organisation_id)
    return Redemption.objects.select_for_update(of=("self",)).get(pk=redemption_id)


def _expect_requested(redemption: Redemption) -> None:
    if redemption.status != S.REQUESTED:
        raise Conflict(
            f"This redemption is {redemption.get_status_display().lower()}.", code="wrong_status"
        )


def redemption_withdraw(*, organisation, actor, role: str | None, redemption_id) -> Redemption:
    """An administrator withdraws an application waiting for review: its points are free."""
    if role not in roles.REDEEM_POINTS:
        raise Forbidden("Only your organisation's administrators redeem its points.")
    with transaction.atomic():
        redemption = _lock(redemption_id)
        if redemption.organisation_id != organisation.pk:
            raise NotFound("No such redemption.")
        _expect_requested(redemption)
        before = _snapshot(redemption)
        redemption.status = S.WITHDRAWN
        redemption.save(update_fields=["status"])
        audit_record(
            actor=actor,
            action="pes_redemption.withdrawn",
            obj=redemption,
            organisation=redemption.organisation_id,
            before=before,
            after=_snapshot(redemption),
            summary=f"Points redemption withdrawn: {redemption.benefit.name}",
        )
    return redemption


def redemption_decide(
    *, actor, redemption: Redemption, approve: bool, reason: str = ""
) -> Redemption:
    """Approve (the points held are spent: a negative ledger entry) or reject with a reason
    (the points held are free again)."""
    require_staff_permission(actor, REVIEW_PERMISSION, NO_PERMISSION)
    reason = _text_clean(
        reason, field="reason", limit=REASON_MAX, required=not approve, what="the reason"
    )
    with transaction.atomic():
        redemption = _lock(redemption.pk)
        _expect_requested(redemption)
        before = _snapshot(redemption)
        event = decision_write(
            redemption,
            approve=approve,
            reason=reason,
            actor=actor,
            approved=S.APPROVED,
            rejected=S.REJECTED,
        )
        if approve:
            entry_write(
                organisation=redemption.organisation_id,
                kind=PointsEntry.Kind.REDEMPTION,
                points=-redemption.points,
                earned_on=timezone.localdate(),
                description=f"Redeemed: {redemption.benefit.name}",
                redemption=redemption,
                actor=actor,
            )
        audit_record(
            actor=actor,
            action=f"pes_redemption.{event}",
            obj=redemption,
            organisation=redemption.organisation_id,
            before=before,
            after={**_snapshot(redemption), "reason": reason},
            summary=f"Points redemption {event}: {redemption.benefit.name}",
        )
        decision_notify(
            kind="redemption",
            organisation_id=redemption.organisation_id,
            object_id=redemption.pk,
            event=event,
        )
    return redemption
