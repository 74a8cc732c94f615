"""Trials and PoCs (SPEC §3.7; the Vates seed's "Trial & Proof of Concept (PoC) Licenses").

Every partner, whatever its type, may give a named prospect a free trial licence for the
programme's ``trial_days`` (30). The partner extends it itself while the whole term stays
within ``trial_max_days`` (90) of its start; beyond, it asks the channel team with the
project's details (``TrialExtensionRequest``), and a reviewer approves or rejects it; the
partner is emailed the decision. A trial is a licence of kind ``trial``: it never counts as
a customer sale (``licensing.selectors.trials.customer_sales_licences``).

The page (licensing/views/trials.py), the API (licensing/api/trials.py) and the admin call
these functions; the rules live here only.
"""

from __future__ import annotations

import datetime

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.utils import timezone

from licensing.models import Licence, LicenceEvent, RequestStatus, Trial, TrialExtensionRequest
from licensing.selectors.trials import (
    OPEN_STATUSES,
    TRIAL_REQUEST_MAX_DAYS,
    days_left,
    trial_max_ends_on,
    trial_products,
    trial_total_days,
)
from licensing.services.licences import (
    licence_audited_values,
    licence_event_record,
    licence_issue,
    lock_licence,
)
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

REVIEW_PERMISSION = "licensing.review_trial_extension"
_NOT_A_REVIEWER = "Deciding on trial extensions needs the permission to review them."


# --- the partner's side -------------------------------------------------------------------


def offered_product(*, organisation, code):
    if not isinstance(code, str) or not code.strip():
        raise DomainError("Choose a product.", field="product", code="required")
    products = list(trial_products(organisation=organisation))
    for product in products:
        if product.code == code.strip():
            return product
    offered = ", ".join(p.code for p in products) or "none"
    raise DomainError(
        f"Unknown product '{code[:40]}' in your programme's catalogue. Choose one of: {offered}.",
        field="product",
        code="unknown_product",
    )


@transaction.atomic
def trial_request(
    *,
    actor,
    organisation,
    role: str | None,
    product: str,
    quantity: int,
    prospect_name: str,
    prospect_email: str = "",
    project: str = "",
    starts_on: datetime.date | None = None,
    source: str = "",
) -> Licence:
    """Issue a free trial licence of the catalogue product ``product`` (its code) for a
    named prospect, for the programme's ``trial_days``. ``starts_on``: today, unless the
    demo backdates it."""
    require_licence_manager(role)
    chosen = offered_product(organisation=organisation, code=product)
    prospect_name = clean_text(
        prospect_name, field="prospect_name", label="Prospect", limit=200, required=True
    )
    prospect_email = clean_text(
        prospect_email, field="prospect_email", label="Prospect's email", limit=254
    )
    if prospect_email:
        try:
            validate_email(prospect_email)
        except ValidationError as exc:
            raise DomainError(
                "Enter a valid email address.", field="prospect_email", code="invalid_email"
            ) from exc
    project = clean_text(project, field="project", label="Project", limit=200)
    if isinstance(quantity, bool) or not isinstance(quantity, int):
        raise DomainError("Give the quantity as a whole number.", field="quantity")

    licence = licence_issue(
        actor=actor,
        organisation=organisation,
        product=chosen,
        quantity=quantity,
        kind=Licence.Kind.TRIAL,
        starts_on=starts_on,
        customer_name=prospect_name,
        source=source or "trial",
    )
    Trial.objects.create(
        organisation=organisation,
        licence=licence,
        prospect_email=prospect_email,
        project=project,
        requested_by=requester(actor),
    )
    return licence


def _ensure_running(licence: Licence, today: datetime.date) -> None:
    if licence.kind != Licence.Kind.TRIAL:
        raise DomainError("This licence is not a trial.", code="not_a_trial")
    if licence.status not in OPEN_STATUSES or days_left(licence=licence, today=today) < 0:
        raise Conflict(
            f"This trial ended on {format_date(licence.ends_on)}; request a new trial instead.",
            field="ends_on",
            code="trial_ended",
        )


def _clean_ends_on(ends_on) -> datetime.date:
    if not isinstance(ends_on, datetime.date) or isinstance(ends_on, datetime.datetime):
        raise DomainError("Give the new end as a date (YYYY-MM-DD).", field="ends_on")
    return ends_on


@transaction.atomic
def trial_extend(*, actor, organisation, role: str | None, licence: Licence, ends_on) -> Licence:
    """Move a running trial's end to ``ends_on``, within ``trial_max_days`` of its start.
    Beyond that the answer (code ``extension_request_needed``) points to an extension
    request."""
    require_licence_manager(role)
    ends_on = _clean_ends_on(ends_on)
    licence = lock_licence(licence.pk)
    programme = organisation.partner_type.programme
    today = timezone.localdate()
    _ensure_running(licence, today)
    if ends_on <= licence.ends_on:
        raise DomainError(
            f"The trial already runs until {format_date(licence.ends_on)}; give a later end.",
            field="ends_on",
            code="not_later",
        )
    limit = trial_max_ends_on(licence=licence, programme=programme)
    if ends_on > limit:
        raise DomainError(
            f"A trial runs at most {programme.trial_max_days} days in total: you can extend "
            f"this one until {format_date(limit)}. For a longer trial, send an extension "
            "request with the project's details to the channel team "
            f"(POST /api/v1/trials/{licence.pk}/extension-requests, or the trial's page "
            "in the reseller space).",
            field="ends_on",
            code="extension_request_needed",
        )
    before = licence_audited_values(licence)
    previous = licence.ends_on
    licence.ends_on = ends_on
    licence.save(update_fields=["ends_on", "updated_at"])
    licence_event_record(
        licence=licence,
        kind=LicenceEvent.Kind.EXTENDED,
        actor=actor,
        summary=f"Trial extended from {format_date(previous)} to {format_date(ends_on)} "
        f"({trial_total_days(licence=licence)} days in total)",
        before=before,
        detail={"from": previous.isoformat(), "to": ends_on.isoformat(), "by": "partner"},
    )
    return licence


@transaction.atomic
def trial_extension_request(
    *,
    actor,
    organisation,
    role: str | None,
    licence: Licence,
    ends_on,
    project_details: str,
) -> TrialExtensionRequest:
    """Ask the channel team to extend a running trial beyond ``trial_max_days``."""
    require_licence_manager(role)
    ends_on = _clean_ends_on(ends_on)
    project_details = clean_text(
        project_details,
        field="project_details",
        label="Project details",
        limit=4000,
        required=True,
    )
    licence = lock_licence(licence.pk)
    programme = organisation.partner_type.programme
    _ensure_running(licence, timezone.localdate())
    limit = trial_max_ends_on(licence=licence, programme=programme)
    if ends_on <= limit:
        raise DomainError(
            f"Until {format_date(limit)} ({programme.trial_max_days} days in total) you "
            "extend the trial yourself; an extension request is for a longer trial.",
            field="ends_on",
            code="extend_directly",
        )
    if trial_total_days(licence=licence, ends_on=ends_on) > TRIAL_REQUEST_MAX_DAYS:
        raise DomainError(
            f"A trial cannot run longer than {TRIAL_REQUEST_MAX_DAYS} days in total; a "
            "longer project needs a licence.",
            field="ends_on",
            code="too_long",
        )
    if TrialExtensionRequest.objects.filter(licence=licence, status=RequestStatus.PENDING).exists():
        raise Conflict(
            "An extension request for this trial is already waiting for the channel team.",
            code="extension_request_pending",
        )
    try:
        with transaction.atomic():
            request = TrialExtensionRequest.objects.create(
                organisation=organisation,
                licence=licence,
                ends_on=ends_on,
                project_details=project_details,
                requested_by=requester(actor),
            )
    except IntegrityError as exc:  # a concurrent request for the same trial won
        raise Conflict(
            "An extension request for this trial is already waiting for the channel team.",
            code="extension_request_pending",
        ) from exc
    audit_record(
        actor=actor,
        action="trial_extension.requested",
        obj=request,
        organisation=organisation,
        after={"licence": str(licence.pk), "ends_on": ends_on, "status": request.status},
        summary=f"Extension of the trial for {licence.customer_name} to "
        f"{format_date(ends_on)} requested "
        f"({trial_total_days(licence=licence, ends_on=ends_on)} days in total)",
    )
    return request


# --- the channel team's side --------------------------------------------------------------


def _lock_pending(request: TrialExtensionRequest) -> TrialExtensionRequest:
    return request_lock_pending(request, related=("licence", "organisation", "requested_by"))


def _decision_context(request: TrialExtensionRequest) -> dict:
    licence = request.licence
    return {
        "organisation": request.organisation.name,
        "prospect": licence.customer_name,
        "product": licence.product_name,
        "quantity": licence.quantity,
        "starts_on": format_date(licence.starts_on),
        "ends_on": format_date(licence.ends_on),
        "requested_ends_on": format_date(request.ends_on),
        "trials_url": space_url("licensing:trials"),
    }


def _decide(request: TrialExtensionRequest, *, actor, status: str, reason: str) -> None:
    request_decide(
        request,
        actor=actor,
        status=status,
        reason=reason,
        action="trial_extension",
        summary=f"Extension of the trial for {request.licence.customer_name} to "
        f"{format_date(request.ends_on)} {status}",
    )


@transaction.atomic
def trial_extension_approve(
    *, actor, request: TrialExtensionRequest, reason: str = ""
) -> TrialExtensionRequest:
    """Extend the trial to the requested end and email the partner. A trial that expired
    while the request waited runs again."""
    require_staff_permission(actor, REVIEW_PERMISSION, _NOT_A_REVIEWER)
    request = _lock_pending(request)
    licence = lock_licence(request.licence_id)
    if licence.status == Licence.Status.CANCELLED:
        raise Conflict("The trial was cancelled; reject the request instead.", code="cancelled")
    if request.ends_on <= licence.ends_on:
        raise Conflict(
            f"The trial already runs until {format_date(licence.ends_on)}.", code="not_later"
        )
    reason = request_reason(reason, required=False)
    before = licence_audited_values(licence)
    previous = licence.ends_on
    licence.ends_on = request.ends_on
    reopened = licence.status == Licence.Status.EXPIRED
    if reopened:
        licence.status = _status_before_expiry(licence)
    licence.save(update_fields=["ends_on", "status", "updated_at"])
    licence_event_record(
        licence=licence,
        kind=LicenceEvent.Kind.EXTENDED,
        actor=actor,
        summary=f"Trial extended by the channel team from {format_date(previous)} to "
        f"{format_date(licence.ends_on)} ({trial_total_days(licence=licence)} days in total)",
        before=before,
        detail={
            "from": previous.isoformat(),
            "to": licence.ends_on.isoformat(),
            "by": "channel team",
            "request": str(request.pk),
            **({"reopened": True} if reopened else {}),
        },
    )
    request.licence = licence
    _decide(request, actor=actor, status=RequestStatus.APPROVED, reason=reason)
    request_notify(
        request,
        template="licensing/emails/trial_extension_approved",
        context={**_decision_context(request), "note": reason},
    )
    return request


def _status_before_expiry(licence: Licence) -> str:
    event = licence.events.filter(kind=LicenceEvent.Kind.EXPIRED).order_by("-at", "-id").first()
    previous = (event.detail or {}).get("previous_status") if event else None
    return previous if previous in OPEN_STATUSES else Licence.Status.UNBOUND


@transaction.atomic
def trial_extension_reject(
    *, actor, request: TrialExtensionRequest, reason: str
) -> TrialExtensionRequest:
    require_staff_permission(actor, REVIEW_PERMISSION, _NOT_A_REVIEWER)
    reason = request_reason(reason, required=True)
    request = _lock_pending(request)
    _decide(request, actor=actor, status=RequestStatus.REJECTED, reason=reason)
    request_notify(
        request,
        template="licensing/emails/trial_extension_rejected",
        context={**_decision_context(request), "reason": reason},
    )
    return request
