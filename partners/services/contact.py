"""A visitor contacts a listed partner through the locator (issue 7).

The visitor has no tenant. The write is narrow: the service first asks the listing rule
(``directory_entry``, in the visitor's own context) whether the partner is listed, then
inserts the request *as that partner* (``tenant_context``), so the row-level security
policy checks the insert like any of the partner's own writes, and no system context
(which would see every tenant) is opened for an anonymous form. The partner's
administrators are emailed by a task that receives ids only: what the visitor wrote never
waits in the outbox or the broker.
"""

from __future__ import annotations

import logging
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from partners import roles
from partners.models import ContactRequest, Membership, Organisation
from partners.selectors.directory import directory_entry
from portal.audit.services import audit_record
from portal.errors import DomainError, Forbidden
from portal.mail import send_templated
from portal.tenancy.context import tenant_context

logger = logging.getLogger(__name__)

#: The audit trail's name for the visitor (who has no account).
PUBLIC_ACTOR = "public:contact-request"

_LIMITS = {"name": 150, "email": 254, "company": 200, "message": 4000}
_LABELS = {"name": "Your name", "email": "Your email", "company": "Company", "message": "Message"}
_REQUIRED = ("name", "email", "message")


def contact_request_submit(
    *, organisation_id, data: dict[str, Any], ip: str | None = None
) -> ContactRequest:
    """Record a visitor's message to a listed partner and have its administrators emailed.

    Raises ``NotFound`` unless the locator lists the partner (pending, suspended or
    unlisted partners cannot be written to), and ``DomainError`` (with the field) for bad
    input, before anything is written."""
    profile = directory_entry(organisation_id=organisation_id)
    clean = _clean(data)
    organisation_id = profile.organisation_id
    with transaction.atomic(), tenant_context(organisation_id, on_behalf_of=PUBLIC_ACTOR):
        contact_request = ContactRequest.objects.create(organisation_id=organisation_id, **clean)
        audit_record(
            actor=None,
            action="contact_request.received",
            obj=contact_request,
            organisation=organisation_id,
            after={"name": clean["name"], "company": clean["company"]},
            summary=(
                f"Contact request from {clean['name']}"
                + (f" ({clean['company']})" if clean["company"] else "")
                + " through the partner locator"
            ),
            ip=ip,
        )
        from partners.tasks import send_contact_request  # tasks import the services

        send_contact_request.delay_on_commit(
            contact_request_id=str(contact_request.pk), organisation_id=str(organisation_id)
        )
    logger.info("contact request %s for organisation %s", contact_request.pk, organisation_id)
    return contact_request


def _clean(data: dict[str, Any]) -> dict[str, str]:
    clean = {}
    for field, limit in _LIMITS.items():
        value = data.get(field) or ""
        if not isinstance(value, str):
            raise DomainError(f"{_LABELS[field]} must be text.", field=field)
        value = value.strip()
        if field in _REQUIRED and not value:
            raise DomainError(
                f"{_LABELS[field]}: this field is required.", field=field, code="required"
            )
        if len(value) > limit:
            raise DomainError(
                f"{_LABELS[field]} is {len(value)} characters long; the limit is {limit}.",
                field=field,
                code="too_long",
            )
        clean[field] = value
    try:
        validate_email(clean["email"])
    except ValidationError as exc:
        raise DomainError(
            "Enter a valid email address, so that the partner can answer.",
            field="email",
            code="invalid_email",
        ) from exc
    return clean


def contact_request_notify(*, contact_request_id) -> int:
    """Email the request to its organisation's administrators, once (the task may run
    twice). Runs in the organisation's context; returns how many were emailed."""
    with transaction.atomic():
        contact_request = (
            ContactRequest.objects.select_for_update()
            .filter(pk=contact_request_id, notified_at__isnull=True)
            .first()
        )
        if contact_request is None:
            return 0  # already sent, or not this tenant's
        organisation = Organisation.objects.get(pk=contact_request.organisation_id)
        recipients = contact_request_recipients(organisation=organisation)
        context = {
            "organisation": organisation.name,
            "name": contact_request.name,
            "email": contact_request.email,
            "company": contact_request.company,
            "message": contact_request.message,
            "received_at": contact_request.created_at,
            "requests_url": settings.PORTAL_BASE_URL + reverse("partners:contact_requests"),
        }
        for email in recipients:  # one message each: no one sees whom else it went to
            send_templated(to=[email], template="partners/emails/contact_request", context=context)
        contact_request.notified_at = timezone.now()
        contact_request.save(update_fields=["notified_at"])
    return len(recipients)


def contact_request_recipients(*, organisation: Organisation) -> list[str]:
    """The organisation's administrators' addresses (active accounts only)."""
    return list(
        Membership.objects.for_tenant(organisation)
        .filter(role__in=roles.NOTIFY_CONTACT_REQUESTS, user__is_active=True)
        .order_by("user__email")
        .values_list("user__email", flat=True)
    )


def contact_requests_mark_read(*, organisation: Organisation, actor, role: str | None) -> int:
    """Mark every unread request of the organisation read; returns how many."""
    if role not in roles.VIEW_CONTACT_REQUESTS:
        raise Forbidden("Your role cannot read the organisation's contact requests.")
    with transaction.atomic():
        unread = ContactRequest.objects.owned_by(organisation).filter(read_at__isnull=True)
        count = unread.update(read_at=timezone.now())
        if count:
            audit_record(
                actor=actor,
                action="contact_request.read",
                obj=organisation,
                organisation=organisation,
                after={"marked_read": count},
                summary=f"{count} contact request{'' if count == 1 else 's'} marked read",
            )
    return count
