"""Claims of engagement activities (SPEC §3.9): a member claims an activity of its
programme with evidence; the channel team approves (the claim's points go to the ledger,
earned on the day the activity took place) or rejects it with a reason.

* Who: any member claims (``roles.CLAIM_ENGAGEMENT``); the claimant or an administrator
  withdraws a claim waiting for review; staff with ``pes.review_claims`` decide.
* What: a claimable, active activity of the organisation's programme; performed today or
  within the last twelve months (the score's window); a description; an optional public
  link; up to ``MAX_CLAIM_FILES`` files checked by their content like payment proofs
  (billing.services.proof_files). The claim keeps the activity's points of the day.
* A decision locks the claim's row first: a double click approves once, one entry.
* Every change is audited; the claimant is emailed about the decision after the commit.
"""

from __future__ import annotations

import datetime
from urllib.parse import urlparse

from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone

from billing.services.payments import _text_clean, proof_original_name
from billing.services.proof_files import proof_file_check
from partners import roles
from pes.models import Activity, Claim, ClaimFile, PointsEntry
from pes.selectors.score import trailing_window
from pes.services.decisions import decision_write
from pes.services.ledger import entry_write
from pes.services.notifications import decision_notify
from portal.audit.services import audit_record
from portal.errors import Conflict, DomainError, Forbidden, NotFound
from portal.permissions import require_staff_permission

REVIEW_PERMISSION = "pes.review_claims"
NO_PERMISSION = "Deciding on engagement claims needs the channel team's permission to review them."
DESCRIPTION_MAX = 2000
REASON_MAX = 500
MAX_CLAIM_FILES = 5
S = Claim.Status


def claimable_activities(*, organisation):
    """The activities the organisation may claim: its programme's claimable active ones."""
    return Activity.objects.filter(
        programme_id=organisation.partner_type.programme_id, claimable=True, active=True
    ).order_by("category", "name")


def _date_clean(value, *, today: datetime.date) -> datetime.date:
    if isinstance(value, datetime.datetime):
        value = value.date()
    if not isinstance(value, datetime.date):
        try:
            value = datetime.date.fromisoformat(str(value or ""))
        except ValueError:
            raise DomainError(
                "Give a date (YYYY-MM-DD).", field="performed_on", code="invalid"
            ) from None
    if value > today:
        raise DomainError(
            "Claim an activity once it has taken place.", field="performed_on", code="future"
        )
    if value < trailing_window(today)[0]:
        raise DomainError(
            "Only activities of the last twelve months count.",
            field="performed_on",
            code="too_old",
        )
    return value


def _link_clean(value) -> str:
    link = str(value or "").strip()
    if not link:
        return ""
    parsed = urlparse(link)
    if parsed.scheme not in ("http", "https") or not parsed.netloc or len(link) > 200:
        raise DomainError("Give a web address (https://...).", field="link", code="invalid")
    return link


def _files_check(files) -> list:
    files = list(files or [])
    if len(files) > MAX_CLAIM_FILES:
        raise DomainError(f"At most {MAX_CLAIM_FILES} files.", field="files", code="too_many")
    checked = []
    for upload in files:
        try:
            checked.append((upload, proof_file_check(upload)))
        except DomainError as error:
            raise DomainError(str(error.message), field="files", code=error.code) from None
    return checked


def _snapshot(claim: Claim) -> dict:
    return {"status": claim.status, "points": claim.points, "performed_on": claim.performed_on}


def claim_submit(
    *, organisation, actor, role: str | None, data: dict, files=(), today=None
) -> Claim:
    """Claim an activity with evidence (``data``: activity (its code), performed_on,
    description, link)."""
    if role not in roles.CLAIM_ENGAGEMENT:
        raise Forbidden("Only members of the organisation claim its activities.")
    today = today or timezone.localdate()
    code = str(data.get("activity") or "").strip()
    activity = claimable_activities(organisation=organisation).filter(code=code).first()
    if activity is None:
        raise DomainError(
            "Choose an activity of your programme's catalogue.", field="activity", code="invalid"
        )
    performed_on = _date_clean(data.get("performed_on"), today=today)
    description = str(data.get("description") or "").strip()
    if not description:
        raise DomainError("Say what was done, for whom.", field="description", code="required")
    if len(description) > DESCRIPTION_MAX:
        raise DomainError(
            f"At most {DESCRIPTION_MAX} characters.", field="description", code="too_long"
        )
    link = _link_clean(data.get("link"))
    checked = _files_check(files)
    stored: list[ClaimFile] = []
    user = actor if getattr(actor, "is_authenticated", False) else None
    try:
        with transaction.atomic():
            claim = Claim.objects.create(
                organisation=organisation,
                activity=activity,
                performed_on=performed_on,
                description=description,
                link=link,
                points=activity.points,
                submitted_by=user,
            )
            for upload, proof in checked:
                claim_file = ClaimFile(
                    organisation=organisation,
                    claim=claim,
                    original_name=proof_original_name(getattr(upload, "name", "")),
                    content_type=proof.kind.content_type,
                    size=proof.size,
                    sha256=proof.sha256,
                    uploaded_by=user,
                )
                claim_file.file.save(
                    f"evidence{proof.kind.extension}", ContentFile(proof.content), save=False
                )
                stored.append(claim_file)
                claim_file.save()
            audit_record(
                actor=actor,
                action="pes_claim.submitted",
                obj=claim,
                organisation=organisation,
                after={**_snapshot(claim), "activity": activity.code, "files": len(stored)},
                summary=f"Engagement claim: {activity.name} ({activity.points} points)",
            )
    except BaseException:
        for claim_file in stored:
            claim_file.file.delete(save=False)
        raise
    return claim


def _lock(claim_id) -> Claim:
    claim = Claim.objects.select_for_update(of=("self",)).filter(pk=claim_id).first()
    if claim is None:
        raise NotFound("No such claim.")
    return claim


def _expect_submitted(claim: Claim) -> None:
    if claim.status != S.SUBMITTED:
        raise Conflict(f"This claim is {claim.get_status_display().lower()}.", code="wrong_status")


def claim_withdraw(*, organisation, actor, role: str | None, claim_id) -> Claim:
    """The claimant, or an administrator, withdraws a claim waiting for review."""
    with transaction.atomic():
        claim = _lock(claim_id)
        if claim.organisation_id != organisation.pk:
            raise NotFound("No such claim.")
        own = claim.submitted_by_id is not None and claim.submitted_by_id == getattr(
            actor, "pk", None
        )
        if not own and role != roles.ADMIN:
            raise Forbidden("Only the person who claimed it or an administrator withdraws it.")
        _expect_submitted(claim)
        before = _snapshot(claim)
        claim.status = S.WITHDRAWN
        claim.save(update_fields=["status"])
        audit_record(
            actor=actor,
            action="pes_claim.withdrawn",
            obj=claim,
            organisation=claim.organisation_id,
            before=before,
            after=_snapshot(claim),
            summary=f"Engagement claim withdrawn: {claim.activity.name}",
        )
    return claim


def claim_decide(*, actor, claim: Claim, approve: bool, reason: str = "") -> Claim:
    """Approve (one ledger entry, kind claim, earned on the day performed) or reject with
    a reason for the partner."""
    require_staff_permission(actor, REVIEW_PERMISSION, NO_PERMISSION)
    reason = _text_clean(
        reason, field="reason", limit=REASON_MAX, required=not approve, what="the reason"
    )
    with transaction.atomic():
        claim = _lock(claim.pk)
        _expect_submitted(claim)
        before = _snapshot(claim)
        event = decision_write(
            claim,
            approve=approve,
            reason=reason,
            actor=actor,
            approved=S.APPROVED,
            rejected=S.REJECTED,
        )
        if approve:
            entry_write(
                organisation=claim.organisation_id,
                kind=PointsEntry.Kind.CLAIM,
                points=claim.points,
                earned_on=claim.performed_on,
                description=f"{claim.activity.name}: {claim.description}",
                activity=claim.activity,
                claim=claim,
                actor=actor,
            )
        audit_record(
            actor=actor,
            action=f"pes_claim.{event}",
            obj=claim,
            organisation=claim.organisation_id,
            before=before,
            after={**_snapshot(claim), "reason": reason},
            summary=f"Engagement claim {event}: {claim.activity.name}",
        )
        decision_notify(
            kind="claim", organisation_id=claim.organisation_id, object_id=claim.pk, event=event
        )
    return claim
