"""What the partner's licence requests share (trials, NFR and evaluation licences).

The partner's side: the role that may ask, the texts it gives, who asked. The channel
team's side of a request that waits for it (a ``TrialExtensionRequest`` or an
``EvaluationLicenceRequest``): lock it while it is pending, record the decision with its
audit row, and email the partner after the commit. licensing/services/trials.py and
licensing/services/evaluation.py keep their own rules and call these.
"""

from __future__ import annotations

from django.db import models
from django.urls import reverse
from django.utils import timezone

from partners import roles
from partners.models import Membership
from portal.audit.services import audit_record
from portal.errors import Conflict, DomainError, Forbidden
from portal.tasks import send_templated_email

# --- the partner's side ---------------------------------------------------------------------


def require_licence_manager(role: str | None) -> None:
    if role not in roles.MANAGE_LICENCES:
        raise Forbidden(
            "Your role cannot request or change licences; ask an administrator.",
            code="permission_denied",
        )


def clean_text(value, *, field: str, label: str, limit: int, required: bool = False) -> str:
    if value is None:
        value = ""
    if not isinstance(value, str):
        raise DomainError(f"{label} must be text.", field=field)
    value = value.strip()
    if required and not value:
        raise DomainError(f"{label}: this field is required.", field=field, code="required")
    if len(value) > limit:
        raise DomainError(
            f"{label} is {len(value)} characters long; the limit is {limit}.",
            field=field,
            code="too_long",
        )
    return value


def requester(actor):
    """The user a request records as having asked (none when the platform asked)."""
    return actor if getattr(actor, "is_authenticated", False) else None


def partner_recipients(*, organisation_id, requested_by=None) -> list[str]:
    """Who hears of a decision on a partner's request: the person who asked, or (gone, or
    asked by the platform) the organisation's administrators."""
    if requested_by is not None and requested_by.is_active:
        member = Membership.objects.filter(
            organisation_id=organisation_id, user=requested_by
        ).exists()
        if member:
            return [requested_by.email]
    return list(
        Membership.objects.filter(
            organisation_id=organisation_id, role=roles.ADMIN, user__is_active=True
        )
        .order_by("user__email")
        .values_list("user__email", flat=True)
    )


def notify_partner(*, recipients: list[str], template: str, context: dict) -> None:
    """One message each, after commit (no secret in ``context``: it waits in the outbox)."""
    for email in recipients:
        send_templated_email.delay_on_commit(to=[email], template=template, context=context)


def space_url(url_name: str) -> str:
    from django.conf import settings

    return settings.PORTAL_BASE_URL + reverse(url_name)


# --- the channel team's decision --------------------------------------------------------------


def request_reason(value, *, required: bool) -> str:
    """The reviewer's text: a rejection's reason (required) or an approval's note."""
    return clean_text(
        value,
        field="reason",
        label="Reason" if required else "Note",
        limit=2000,
        required=required,
    )


def request_lock_pending(request: models.Model, *, related: tuple[str, ...]) -> models.Model:
    """The request, row-locked with ``related``; a ``Conflict`` once it is decided."""
    request = (
        type(request)
        .objects.select_for_update(of=("self",))
        .select_related(*related)
        .get(pk=request.pk)
    )
    if not request.is_pending:
        raise Conflict(
            f"This request was already decided ({request.get_status_display().lower()}).",
            code="already_decided",
        )
    return request


def request_decide(
    request: models.Model,
    *,
    actor,
    status: str,
    reason: str,
    action: str,
    summary: str,
    after: dict | None = None,
    update_fields: tuple[str, ...] = (),
) -> None:
    """Record the decision ``status`` with its reason, and its audit row ``<action>.<status>``
    (``after`` and ``update_fields``: what the decision changed beyond them)."""
    before = {"status": request.status}
    request.status = status
    request.decided_by = actor
    request.decided_at = timezone.now()
    request.decision_reason = reason
    request.save(
        update_fields=["status", "decided_by", "decided_at", "decision_reason", *update_fields]
    )
    audit_record(
        actor=actor,
        action=f"{action}.{status}",
        obj=request,
        organisation=request.organisation_id,
        before=before,
        after={"status": status, "decision_reason": reason, **(after or {})},
        summary=summary,
    )


def request_notify(request: models.Model, *, template: str, context: dict) -> None:
    """Email the decision to whoever hears of it (``partner_recipients``), after commit."""
    notify_partner(
        recipients=partner_recipients(
            organisation_id=request.organisation_id, requested_by=request.requested_by
        ),
        template=template,
        context=context,
    )
