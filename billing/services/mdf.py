"""Marketing development funds (SPEC §3.11): the partner asks for money for an activity,
the channel team decides, the partner claims with proof of execution, the channel team
approves the claim and marks it paid. The page, the API and the admin all call these.

* Who: requests and claims by the organisation's administrators and sales people
  (``roles.MANAGE_MDF``) of an eligible organisation (billing.selectors.mdf.mdf_eligible);
  budgets set by staff with ``billing.set_mdf_budgets``; requests and claims decided with
  ``billing.review_mdf``; claims marked paid with ``billing.pay_mdf``; checked here
  whoever calls.
* Money: what a request holds is billing.selectors.mdf's rule. A request (and a budget
  change) locks the budget row first and reads the remaining amount under the lock, so
  concurrent requests are taken one at a time and the remaining budget never goes below
  zero. Lock order: budget, then request.
* Every change is audited; the organisation's administrators are emailed about each
  decision, by a task after the commit.
"""

from __future__ import annotations

import datetime
from decimal import Decimal, InvalidOperation

from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone

from billing.models import MdfBudget, MdfClaimFile, MdfRequest
from billing.money import ZERO, quantize_price
from billing.selectors.mdf import budget_of, budget_summary, current_year, mdf_eligible
from billing.services.payments import _text_clean, proof_original_name
from billing.services.proof_files import proof_file_check
from partners import roles
from portal.audit.services import audit_record
from portal.errors import Conflict, DomainError, Forbidden, NotFound
from portal.permissions import require_staff_permission

REVIEW_PERMISSION = "billing.review_mdf"
BUDGET_PERMISSION = "billing.set_mdf_budgets"
PAY_PERMISSION = "billing.pay_mdf"
NOT_ALLOWED = "Only your organisation's administrators and sales people request marketing funds."
NOT_ELIGIBLE = "Your partner type and tier do not include marketing development funds."
NO_PERMISSION = "Deciding on marketing funds needs the channel team's permission to review them."
ACTIVITY_MAX = 200
RESULT_MAX = 2000
REASON_MAX = 500
MAX_CLAIM_FILES = 10
S = MdfRequest.Status


def _amount_clean(value, *, field: str, what: str) -> Decimal:
    try:
        amount = Decimal(str(value).strip())
    except (InvalidOperation, ValueError, TypeError):
        raise DomainError(f"Give {what} as a number.", field=field, code="invalid") from None
    if not amount.is_finite():
        raise DomainError(f"Give {what} as a number.", field=field, code="invalid")
    if amount <= 0:
        raise DomainError(
            f"{what[0].upper()}{what[1:]} must be above zero.", field=field, code="not_positive"
        )
    if amount != quantize_price(amount) or amount >= Decimal("1e12"):
        raise DomainError(f"{what[0].upper()}{what[1:]}: whole cents.", field=field, code="invalid")
    return amount


def _date_clean(value, *, field: str) -> datetime.date:
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, datetime.date):
        return value
    try:
        return datetime.date.fromisoformat(str(value or ""))
    except ValueError:
        raise DomainError("Give a date (YYYY-MM-DD).", field=field, code="invalid") from None


def _lock_budget(budget_id) -> MdfBudget:
    return MdfBudget.objects.select_for_update().get(pk=budget_id)


def _lock_request(request_id) -> tuple[MdfBudget, MdfRequest]:
    budget_id = MdfRequest.objects.values_list("budget_id", flat=True).filter(pk=request_id).first()
    if budget_id is None:
        raise NotFound("No such request.", code="not_found")
    budget = _lock_budget(budget_id)
    return budget, MdfRequest.objects.select_for_update().get(pk=request_id)


def _expect(request: MdfRequest, *statuses) -> None:
    if request.status not in statuses:
        raise Conflict(
            f"This request is {request.get_status_display().lower()}.", code="wrong_status"
        )


def _snapshot(request: MdfRequest) -> dict:
    return {
        "status": request.status,
        "cost": str(request.cost),
        "claimed_amount": str(request.claimed_amount or ""),
        "paid_amount": str(request.paid_amount or ""),
    }


# --- budgets (staff) --------------------------------------------------------------------------


def mdf_budget_set(*, actor, organisation, year: int, amount, currency: str) -> MdfBudget:
    """Create or change the organisation's budget for ``year``. It may not go below what
    its requests already hold."""
    require_staff_permission(actor, BUDGET_PERMISSION, "Setting budgets needs the permission.")
    amount = Decimal(str(amount))
    if amount < 0:
        raise DomainError("A budget cannot be negative.", field="amount", code="not_positive")
    currency = str(currency or "").upper()
    if len(currency) != 3 or not currency.isalpha():
        raise DomainError("Give a currency code such as EUR.", field="currency")
    with transaction.atomic():
        budget = (
            MdfBudget.objects.select_for_update()
            .filter(organisation=organisation, year=year)
            .first()
        )
        before = None
        if budget is None:
            budget = MdfBudget(organisation=organisation, year=year, currency=currency)
        else:
            before = {"amount": str(budget.amount), "currency": budget.currency}
            if budget.currency != currency and budget.requests.exists():
                raise Conflict(
                    "The budget already has requests in "
                    f"{budget.currency}; its currency cannot change.",
                    field="currency",
                    code="currency_fixed",
                )
            held = budget.amount - budget_summary(budget).remaining
            if amount < held:
                raise Conflict(
                    f"Requests already hold {held} {budget.currency}: the budget cannot be lower.",
                    field="amount",
                    code="below_held",
                )
            budget.currency = currency
        budget.amount = quantize_price(amount)
        budget.set_by = actor
        budget.save()
        audit_record(
            actor=actor,
            action="mdf_budget.set",
            obj=budget,
            organisation=organisation,
            before=before,
            after={"year": year, "amount": str(budget.amount), "currency": currency},
            summary=f"Marketing budget {year} set to {budget.amount} {currency}",
        )
    return budget


# --- the partner requests -------------------------------------------------------------------------


def mdf_request_submit(*, organisation, actor, role: str | None, data: dict) -> MdfRequest:
    """Ask for money for an activity; it holds its cost from now on. Refused when the
    organisation is not eligible, has no budget this year, or the cost is over what
    remains."""
    if role not in roles.MANAGE_MDF:
        raise Forbidden(NOT_ALLOWED, code="permission_denied")
    if not mdf_eligible(organisation):
        raise Forbidden(NOT_ELIGIBLE, code="not_eligible")
    activity = _text_clean(
        data.get("activity"),
        field="activity",
        limit=ACTIVITY_MAX,
        required=True,
        what="the activity",
    )
    expected = str(data.get("expected_result") or "").strip()
    if not expected:
        raise DomainError("Say what you expect from it.", field="expected_result", code="required")
    if len(expected) > RESULT_MAX:
        raise DomainError(
            f"At most {RESULT_MAX} characters.", field="expected_result", code="too_long"
        )
    start = _date_clean(data.get("start_date"), field="start_date")
    end = _date_clean(data.get("end_date"), field="end_date")
    if end < start:
        raise DomainError(
            "The activity ends on or after its start.", field="end_date", code="end_before_start"
        )
    cost = _amount_clean(data.get("cost"), field="cost", what="the cost")
    budget = budget_of(organisation)
    if budget is None:
        raise DomainError(
            f"You have no marketing budget for {current_year()} yet; ask the channel team.",
            code="no_budget",
        )
    with transaction.atomic():
        budget = _lock_budget(budget.pk)
        remaining = budget_summary(budget).remaining
        if cost > remaining:
            raise DomainError(
                f"The cost is over what remains of your budget ({remaining} {budget.currency}).",
                field="cost",
                code="over_budget",
            )
        request = MdfRequest.objects.create(
            organisation=organisation,
            budget=budget,
            activity=activity,
            start_date=start,
            end_date=end,
            cost=cost,
            currency=budget.currency,
            expected_result=expected,
            submitted_by=actor if getattr(actor, "is_authenticated", False) else None,
        )
        audit_record(
            actor=actor,
            action="mdf_request.submitted",
            obj=request,
            organisation=organisation,
            after={**_snapshot(request), "activity": activity},
            summary=f"Marketing fund request: {activity} ({cost} {budget.currency})",
        )
    return request


def mdf_request_cancel(*, organisation, actor, role: str | None, request_id) -> MdfRequest:
    """The partner withdraws a request not yet claimed; it releases what it held."""
    if role not in roles.MANAGE_MDF:
        raise Forbidden(NOT_ALLOWED, code="permission_denied")
    with transaction.atomic():
        _, request = _lock_request(request_id)
        if request.organisation_id != organisation.pk:
            raise Forbidden(NOT_ALLOWED, code="permission_denied")
        before = _snapshot(request)
        _expect(request, S.SUBMITTED, S.APPROVED)
        request.status = S.CANCELLED
        request.save(update_fields=["status"])
        audit_record(
            actor=actor,
            action="mdf_request.cancelled",
            obj=request,
            organisation=request.organisation,
            before=before,
            after=_snapshot(request),
            summary=f"Marketing fund request cancelled: {request.activity}",
        )
    return request


# --- the channel team decides ------------------------------------------------------------------


def mdf_request_decide(
    *, actor, request: MdfRequest, approve: bool, reason: str = ""
) -> MdfRequest:
    """Approve or reject a request awaiting review (a reason is required to reject)."""
    require_staff_permission(actor, REVIEW_PERMISSION, NO_PERMISSION)
    reason = _text_clean(
        reason,
        field="reason",
        limit=REASON_MAX,
        required=not approve,
        what="the reason for the partner",
    )
    with transaction.atomic():
        _, request = _lock_request(request.pk)
        _expect(request, S.SUBMITTED)
        before = _snapshot(request)
        request.status = S.APPROVED if approve else S.REJECTED
        request.decision_reason = reason
        request.decided_by = actor
        request.decided_at = timezone.now()
        request.save(update_fields=["status", "decision_reason", "decided_by", "decided_at"])
        event = "approved" if approve else "rejected"
        audit_record(
            actor=actor,
            action=f"mdf_request.{event}",
            obj=request,
            organisation=request.organisation,
            before=before,
            after={**_snapshot(request), "reason": reason},
            summary=f"Marketing fund request {event}: {request.activity}",
        )
        _notify(request, event)
    return request


def mdf_claim_submit(
    *, organisation, actor, role: str | None, request_id, amount, files, note: str = ""
) -> MdfRequest:
    """Claim an approved request: the amount actually spent (at most the approved cost)
    and proof of execution (PDF, PNG or JPEG files, checked by their content)."""
    if role not in roles.MANAGE_MDF:
        raise Forbidden(NOT_ALLOWED, code="permission_denied")
    amount = _amount_clean(amount, field="amount", what="the amount spent")
    note = _text_clean(note, field="note", limit=REASON_MAX, required=False, what="the note")
    files = list(files or [])
    if not files:
        raise DomainError(
            "Attach proof that the activity took place.", field="files", code="required"
        )
    if len(files) > MAX_CLAIM_FILES:
        raise DomainError(f"At most {MAX_CLAIM_FILES} files.", field="files", code="too_many")
    checked = []
    for upload in files:
        try:
            checked.append((upload, proof_file_check(upload)))
        except DomainError as error:
            raise DomainError(str(error.message), field="files", code=error.code) from None
    stored: list[MdfClaimFile] = []
    try:
        with transaction.atomic():
            _, request = _lock_request(request_id)
            if request.organisation_id != organisation.pk:
                raise Forbidden(NOT_ALLOWED, code="permission_denied")
            _expect(request, S.APPROVED)
            if amount > request.cost:
                raise DomainError(
                    f"At most the approved cost ({request.cost} {request.currency}).",
                    field="amount",
                    code="over_cost",
                )
            before = _snapshot(request)
            for upload, proof in checked:
                claim_file = MdfClaimFile(
                    organisation=request.organisation,
                    request=request,
                    original_name=proof_original_name(getattr(upload, "name", "")),
                    content_type=proof.kind.content_type,
                    size=proof.size,
                    sha256=proof.sha256,
                    uploaded_by=actor if getattr(actor, "is_authenticated", False) else None,
                )
                claim_file.file.save(
                    f"claim{proof.kind.extension}", ContentFile(proof.content), save=False
                )
                stored.append(claim_file)
                claim_file.save()
            request.status = S.CLAIMED
            request.claimed_amount = amount
            request.claimed_at = timezone.now()
            request.claim_note = note
            request.claim_rejection_reason = ""
            request.save(
                update_fields=[
                    "status",
                    "claimed_amount",
                    "claimed_at",
                    "claim_note",
                    "claim_rejection_reason",
                ]
            )
            audit_record(
                actor=actor,
                action="mdf_request.claimed",
                obj=request,
                organisation=request.organisation,
                before=before,
                after={**_snapshot(request), "files": [f.sha256 for f in stored]},
                summary=f"Marketing fund claim: {request.activity} ({amount} {request.currency})",
            )
    except BaseException:
        for claim_file in stored:
            claim_file.file.delete(save=False)
        raise
    return request


def mdf_claim_decide(*, actor, request: MdfRequest, approve: bool, reason: str = "") -> MdfRequest:
    """Approve a claim (it then holds the claimed amount until paid) or reject it with a
    reason (the request is approved again: the partner may claim once more)."""
    require_staff_permission(actor, REVIEW_PERMISSION, NO_PERMISSION)
    reason = _text_clean(
        reason,
        field="reason",
        limit=REASON_MAX,
        required=not approve,
        what="the reason for the partner",
    )
    with transaction.atomic():
        _, request = _lock_request(request.pk)
        _expect(request, S.CLAIMED)
        before = _snapshot(request)
        request.claim_decided_by = actor
        request.claim_decided_at = timezone.now()
        if approve:
            request.status = S.CLAIM_APPROVED
        else:
            request.status = S.APPROVED
            request.claim_rejection_reason = reason
        request.save(
            update_fields=[
                "status",
                "claim_decided_by",
                "claim_decided_at",
                "claim_rejection_reason",
            ]
        )
        event = "claim_approved" if approve else "claim_rejected"
        audit_record(
            actor=actor,
            action=f"mdf_request.{event}",
            obj=request,
            organisation=request.organisation,
            before=before,
            after={**_snapshot(request), "reason": reason},
            summary=f"Marketing fund claim {event.split('_')[1]}: {request.activity}",
        )
        _notify(request, event)
    return request


def mdf_mark_paid(*, actor, request: MdfRequest) -> MdfRequest:
    """Record that the approved claim was paid (its claimed amount): finance's
    (``billing.pay_mdf``)."""
    require_staff_permission(
        actor, PAY_PERMISSION, "Marking claims paid needs the channel team's permission to pay."
    )
    with transaction.atomic():
        _, request = _lock_request(request.pk)
        _expect(request, S.CLAIM_APPROVED)
        before = _snapshot(request)
        request.status = S.PAID
        request.paid_amount = request.claimed_amount or ZERO
        request.paid_at = timezone.now()
        request.paid_by = actor
        request.save(update_fields=["status", "paid_amount", "paid_at", "paid_by"])
        audit_record(
            actor=actor,
            action="mdf_request.paid",
            obj=request,
            organisation=request.organisation,
            before=before,
            after=_snapshot(request),
            summary=f"Marketing fund claim paid: {request.activity} "
            f"({request.paid_amount} {request.currency})",
        )
        _notify(request, "paid")
    return request


def _notify(request: MdfRequest, event: str) -> None:
    from billing.tasks import send_mdf_email  # tasks import the services

    send_mdf_email.delay_on_commit(
        organisation_id=str(request.organisation_id), request_id=str(request.pk), event=event
    )
