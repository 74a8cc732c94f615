"""Partner evaluation licences (SPEC §3.7; Mattermost's "Partner Evaluation License").

A partner whose type sets ``evaluation_licence_users`` (Mattermost's value-added resellers
and system integrators: 50) asks for a one-year licence of the programme's per-user product
for up to that many users, saying what it is for. A reviewer approves it: a licence of kind
``evaluation`` is issued to the partner and the requester is emailed. Renewal is a new
request, accepted from 60 days before the current licence ends (or once it has ended); the
renewal starts where the current licence ends. Partners of other programmes (or types) are
told the programme does not offer it (code ``evaluation_not_offered``).
"""

from __future__ import annotations

import datetime

from django.db import IntegrityError, transaction
from django.utils import timezone

from licensing.models import EvaluationLicenceRequest, Licence, LicenceEvent, RequestStatus
from licensing.selectors.evaluation import (
    RENEWAL_WINDOW_DAYS,
    current_evaluation_licence,
    evaluation_product,
    evaluation_status,
)
from licensing.services.licences import licence_audited_values, licence_event_record, licence_issue
from licensing.services.requests import (
    clean_text,
    request_decide,
    request_lock_pending,
    request_notify,
    request_reason,
    requester,
    require_licence_manager,
    space_url,
)
from portal.audit.services import audit_record
from portal.errors import Conflict, DomainError
from portal.formats import format_date
from portal.permissions import require_staff_permission

REVIEW_PERMISSION = "licensing.review_evaluation_licence"
_NOT_A_REVIEWER = "Deciding on evaluation licences needs the permission to review them."
_PENDING = "Your request for an evaluation licence is already waiting for the channel team."


@transaction.atomic
def evaluation_request(
    *, actor, organisation, role: str | None, users: int, purpose: str
) -> EvaluationLicenceRequest:
    """Ask for an evaluation licence (or its renewal) for ``users`` users."""
    require_licence_manager(role)
    partner_type = organisation.partner_type
    limit = partner_type.evaluation_licence_users
    if limit is None:
        raise DomainError(
            f"Partner evaluation licences are not part of {partner_type.programme.name}'s "
            f"programme for {partner_type.name} partners.",
            code="evaluation_not_offered",
        )
    if evaluation_product(programme=partner_type.programme) is None:
        raise DomainError(
            "Your programme's catalogue has no per-user product to evaluate yet.",
            code="evaluation_not_offered",
        )
    if isinstance(users, bool) or not isinstance(users, int) or users < 1:
        raise DomainError("Give the number of users as a whole number from 1.", field="users")
    if users > limit:
        raise DomainError(
            f"An evaluation licence covers up to {limit} users.",
            field="users",
            code="too_many_users",
        )
    purpose = clean_text(purpose, field="purpose", label="Purpose", limit=2000, required=True)
    status = evaluation_status(organisation=organisation)
    if status.pending is not None:
        raise Conflict(_PENDING, code="evaluation_request_pending")
    if status.renew_from is not None:
        raise Conflict(
            f"Your evaluation licence runs until {format_date(status.current.ends_on)}: you "
            f"can ask for its renewal from {format_date(status.renew_from)} "
            f"({RENEWAL_WINDOW_DAYS} days before it ends).",
            code="evaluation_licence_current",
        )
    try:
        with transaction.atomic():
            request = EvaluationLicenceRequest.objects.create(
                organisation=organisation,
                users=users,
                purpose=purpose,
                requested_by=requester(actor),
            )
    except IntegrityError as exc:  # a concurrent request won
        raise Conflict(_PENDING, code="evaluation_request_pending") from exc
    audit_record(
        actor=actor,
        action="evaluation_licence.requested",
        obj=request,
        organisation=organisation,
        after={"users": users, "status": request.status},
        summary=f"Evaluation licence for {users} users requested"
        + (" (renewal)" if status.current is not None else ""),
    )
    return request


def _lock_pending(request: EvaluationLicenceRequest) -> EvaluationLicenceRequest:
    return request_lock_pending(
        request, related=("organisation", "organisation__partner_type", "requested_by")
    )


def _decide(request: EvaluationLicenceRequest, *, actor, status: str, reason: str) -> None:
    request_decide(
        request,
        actor=actor,
        status=status,
        reason=reason,
        action="evaluation_licence",
        summary=f"Evaluation licence for {request.users} users {status}",
        after={"licence": str(request.licence_id) if request.licence_id else None},
        update_fields=("licence",),
    )


@transaction.atomic
def evaluation_approve(
    *, actor, request: EvaluationLicenceRequest, reason: str = ""
) -> EvaluationLicenceRequest:
    """Issue the evaluation licence (one year, from the end of the current one if it still
    runs) and email the requester."""
    require_staff_permission(actor, REVIEW_PERMISSION, _NOT_A_REVIEWER)
    request = _lock_pending(request)
    reason = request_reason(reason, required=False)
    organisation = request.organisation
    product = evaluation_product(programme=organisation.partner_type.programme)
    if product is None:
        raise Conflict("The programme's catalogue has no per-user product.", code="no_product")
    today = timezone.localdate()
    current = current_evaluation_licence(organisation=organisation)
    starts_on = today
    if current is not None and current.ends_on >= today:
        starts_on = current.ends_on + datetime.timedelta(days=1)
    licence = licence_issue(
        actor=actor,
        organisation=organisation,
        product=product,
        quantity=request.users,
        kind=Licence.Kind.EVALUATION,
        starts_on=starts_on,
        customer_name=organisation.name,
        source=f"evaluation:{request.pk}",
    )
    if current is not None:
        before = licence_audited_values(current)
        licence_event_record(
            licence=current,
            kind=LicenceEvent.Kind.RENEWED,
            actor=actor,
            summary=f"Renewed by a new evaluation licence from {format_date(licence.starts_on)} "
            f"to {format_date(licence.ends_on)}",
            before=before,
            detail={"renewal": str(licence.pk)},
        )
    request.licence = licence
    _decide(request, actor=actor, status=RequestStatus.APPROVED, reason=reason)
    request_notify(
        request,
        template="licensing/emails/evaluation_licence_approved",
        context={
            "organisation": organisation.name,
            "product": licence.product_name,
            "users": licence.quantity,
            "starts_on": format_date(licence.starts_on),
            "ends_on": format_date(licence.ends_on),
            "renewal": current is not None,
            "note": reason,
            "evaluation_url": space_url("licensing:evaluation"),
        },
    )
    return request


@transaction.atomic
def evaluation_reject(
    *, actor, request: EvaluationLicenceRequest, reason: str
) -> EvaluationLicenceRequest:
    require_staff_permission(actor, REVIEW_PERMISSION, _NOT_A_REVIEWER)
    reason = request_reason(reason, required=True)
    request = _lock_pending(request)
    _decide(request, actor=actor, status=RequestStatus.REJECTED, reason=reason)
    request_notify(
        request,
        template="licensing/emails/evaluation_licence_rejected",
        context={
            "organisation": request.organisation.name,
            "users": request.users,
            "reason": reason,
            "evaluation_url": space_url("licensing:evaluation"),
        },
    )
    return request
