"""Applications: submitted by the public, reviewed by the channel team (SPEC §3.8).

submitted -> approved | rejected | info_requested -> (applicant replies) -> submitted
Every decision emails the applicant. Approval creates the organisation (pending until its
admin click-signs the agreement), its profile, its agreement (PDFs rendered by a task) and
invites the applicant's contact as the organisation's first admin.
"""

from __future__ import annotations

import secrets

from django.conf import settings
from django.core import signing
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.crypto import constant_time_compare
from django_countries import countries

from partners.models import (
    Agreement,
    Membership,
    Organisation,
    PartnerApplication,
    PartnerProfile,
    PartnerType,
)
from partners.selectors.programme import is_embargoed, public_partner_types
from portal.audit.services import audit_record
from portal.errors import Conflict, DomainError, NotFound
from portal.mail import send_templated
from portal.permissions import require_staff_permission
from portal.tasks import send_templated_email

REPLY_SALT = "partners.application-reply"
REPLY_MAX_AGE = 60 * 60 * 24 * 30  # a month to answer

Status = PartnerApplication.Status

#: Approving, rejecting and asking for information are one decision right.
REVIEW_PERMISSION = "partners.review_application"
_NOT_A_REVIEWER = "Deciding on applications needs the permission to review them."


def partner_type_for_code(*, code: str) -> PartnerType:
    """The partner type an applicant asks for, by code: the active (default) programme's
    type of that code. Other programmes' types are not offered to the public."""
    offered = public_partner_types()
    for partner_type in offered:
        if partner_type.code == code:
            return partner_type
    known = sorted(t.code for t in offered)
    raise DomainError(
        f"Unknown partner type '{code}'. Choose one of: {', '.join(known)}.",
        field="partner_type",
        code="unknown_partner_type",
    )


def _applicant_context(application: PartnerApplication) -> dict:
    return {
        "contact_name": application.contact_name,
        "company_name": application.company_name,
        "programme": application.programme.name,
        "partner_type": application.partner_type.name,
    }


def _notify_applicant(application: PartnerApplication, template: str, **extra) -> None:
    """An email without secrets (its context waits in the outbox in clear)."""
    send_templated_email.delay_on_commit(
        to=[application.contact_email],
        template=f"partners/emails/application_{template}",
        context={**_applicant_context(application), **extra},
    )


def _notify_channel_team(application: PartnerApplication, event: str) -> None:
    send_templated_email.delay_on_commit(
        to=[settings.CHANNEL_TEAM_EMAIL],
        template="partners/emails/application_staff_notice",
        context={
            "event": event,
            "company_name": application.company_name,
            "country": application.country.name,
            "partner_type": application.partner_type.name,
            "admin_url": settings.PORTAL_BASE_URL
            + reverse("admin:partners_partnerapplication_change", args=[application.pk]),
        },
    )


@transaction.atomic
def application_submit(*, data: dict, ip: str | None = None) -> PartnerApplication:
    """``data`` holds the validated form fields; ``partner_type`` is a PartnerType."""
    partner_type: PartnerType = data["partner_type"]
    programme = partner_type.programme
    if not programme.is_default:
        # The form and the API offer the active programme's types only; this is the rule.
        raise DomainError(
            f"{partner_type.name} is not a partner type of the programme we offer.",
            field="partner_type",
            code="unknown_partner_type",
        )
    country = str(data["country"] or "")
    region = data.get("region", "")
    if country not in countries:
        # The embargo check below needs a real country: an empty or unknown code would
        # match no embargo and pass.
        raise DomainError(
            "Choose a country (a two-letter ISO 3166 code).", field="country", code="country"
        )
    embargoed_field = None
    if is_embargoed(programme=programme, country=country):
        embargoed_field = "country"
    elif region and is_embargoed(programme=programme, country=country, region=region):
        embargoed_field = "region"
    if embargoed_field:
        raise DomainError(
            "We cannot do business in this country or region (trade embargo).",
            field=embargoed_field,
            code="embargoed",
        )
    application = PartnerApplication.objects.create(
        programme=programme,
        submitted_ip=ip,
        **{key: value for key, value in data.items() if key != "programme"},
    )
    audit_record(
        actor=None,
        action="application.submitted",
        obj=application,
        organisation=None,
        after={
            "status": application.status,
            "company_name": application.company_name,
            "partner_type": application.partner_type.code,
            "country": application.country,
            "contact_email": application.contact_email,
        },
        summary=f"Application from {application.company_name} submitted",
        ip=ip,
    )
    _notify_applicant(application, "received", review_days=programme.application_review_days)
    _notify_channel_team(application, "New partner application")
    return application


def _lock_open(application: PartnerApplication) -> PartnerApplication:
    locked = PartnerApplication.objects.select_for_update().get(pk=application.pk)
    if not locked.is_open:
        raise Conflict(
            f"This application was already {locked.get_status_display().lower()}.",
            code="application_closed",
        )
    return locked


# The reply link is signed (SECRET_KEY) and names the application and the current round's
# nonce. Each request for information draws a new nonce and the reply clears it, so a
# link answers one round once: round 1's link is dead once it is used or round 2 is
# asked. The nonce alone is no link (it needs the signature), so storing it is safe, and
# the email task can rebuild the link from the application's id: no link ever waits in
# the outbox or crosses the broker.


def reply_token(application: PartnerApplication) -> str:
    return signing.dumps(
        {"application": str(application.pk), "nonce": application.reply_nonce}, salt=REPLY_SALT
    )


def reply_url(application: PartnerApplication) -> str:
    return settings.PORTAL_BASE_URL + reverse(
        "partners:application_reply", args=[reply_token(application)]
    )


def application_for_reply_token(*, token: str) -> PartnerApplication:
    """The application a signed reply link points to, while it still waits for the reply
    of the round the link was sent for."""
    try:
        payload = signing.loads(token, salt=REPLY_SALT, max_age=REPLY_MAX_AGE)
        application = PartnerApplication.objects.get(pk=payload["application"])
        nonce = str(payload["nonce"])
    except (
        signing.BadSignature,
        PartnerApplication.DoesNotExist,
        KeyError,
        TypeError,
        ValueError,
    ) as exc:
        raise NotFound("This link is invalid or has expired.", code="invalid_link") from exc
    if (
        application.status != Status.INFO_REQUESTED
        or not application.reply_nonce
        or not constant_time_compare(nonce, application.reply_nonce)
    ):
        raise NotFound("This link has already been used.", code="link_used")
    return application


@transaction.atomic
def application_request_info(*, application, actor, message: str) -> PartnerApplication:
    require_staff_permission(actor, REVIEW_PERMISSION, _NOT_A_REVIEWER)
    from partners.tasks import send_application_reply_request  # tasks import the services

    if not message.strip():
        raise DomainError("Say what information you need.", field="message")
    application = _lock_open(application)
    before = {"status": application.status, "info_request": application.info_request}
    application.status = Status.INFO_REQUESTED
    application.info_request = message.strip()
    application.reply_nonce = secrets.token_hex(16)  # earlier rounds' links stop working
    application.decided_by = actor
    application.save(update_fields=["status", "info_request", "reply_nonce", "decided_by"])
    audit_record(
        actor=actor,
        action="application.info_requested",
        obj=application,
        organisation=application.organisation_id,
        before=before,
        after={"status": application.status, "info_request": application.info_request},
        summary=f"More information requested from {application.company_name}",
    )
    send_application_reply_request.delay_on_commit(application_id=str(application.pk))
    return application


def application_send_reply_request(*, application_id: str) -> bool:
    """Email the applicant the question and a reply link made here, from the id; False when
    the application no longer waits for an answer (answered, or decided, meanwhile)."""
    application = (
        PartnerApplication.objects.select_related("programme", "partner_type")
        .filter(pk=application_id)
        .first()
    )
    if application is None or application.status != Status.INFO_REQUESTED:
        return False
    send_templated(
        to=[application.contact_email],
        template="partners/emails/application_info_requested",
        context={
            **_applicant_context(application),
            "message": application.info_request,
            "reply_url": reply_url(application),
        },
    )
    return True


@transaction.atomic
def application_reply(*, application, reply: str) -> PartnerApplication:
    if not reply.strip():
        raise DomainError("Please write your answer.", field="reply")
    application = PartnerApplication.objects.select_for_update().get(pk=application.pk)
    if application.status != Status.INFO_REQUESTED:
        raise Conflict("This application is not waiting for an answer.", code="not_waiting")
    before = {"status": application.status, "applicant_reply": application.applicant_reply}
    application.status = Status.SUBMITTED
    application.applicant_reply = reply.strip()
    application.replied_at = timezone.now()
    application.reply_nonce = ""  # the link is used
    application.save(update_fields=["status", "applicant_reply", "replied_at", "reply_nonce"])
    audit_record(
        actor=None,  # the applicant, through the emailed link: no account yet
        action="application.replied",
        obj=application,
        organisation=application.organisation_id,
        before=before,
        after={"status": application.status, "applicant_reply": application.applicant_reply},
        summary=f"{application.company_name} answered the request for information",
    )
    _notify_channel_team(application, "An applicant answered your question")
    return application


@transaction.atomic
def application_reject(*, application, actor, reason: str) -> PartnerApplication:
    require_staff_permission(actor, REVIEW_PERMISSION, _NOT_A_REVIEWER)
    if not reason.strip():
        raise DomainError("Give the applicant a reason.", field="reason")
    application = _lock_open(application)
    before = {"status": application.status}
    application.status = Status.REJECTED
    application.rejection_reason = reason.strip()
    application.decided_by = actor
    application.decided_at = timezone.now()
    application.save(update_fields=["status", "rejection_reason", "decided_by", "decided_at"])
    audit_record(
        actor=actor,
        action="application.rejected",
        obj=application,
        organisation=application.organisation_id,
        before=before,
        after={"status": application.status, "rejection_reason": application.rejection_reason},
        summary=f"Application from {application.company_name} rejected",
    )
    _notify_applicant(application, "rejected", reason=application.rejection_reason)
    return application


@transaction.atomic
def application_approve(*, application, actor) -> Organisation:
    # Imported here: team and the agreement task are areas of their own.
    from partners.services.team import invitation_create
    from partners.tasks import render_agreement_documents

    require_staff_permission(actor, REVIEW_PERMISSION, _NOT_A_REVIEWER)
    application = _lock_open(application)
    if is_embargoed(
        programme=application.programme,
        country=application.country.code,
        region=application.region,
    ):
        raise DomainError(
            "The applicant's country is under embargo.", field="country", code="embargoed"
        )
    first_tier = application.partner_type.tiers.order_by("level").first()
    organisation = Organisation.objects.create(
        name=application.company_name,
        country=application.country,
        website=application.website,
        partner_type=application.partner_type,
        tier=first_tier,
        status=Organisation.Status.PENDING,
    )
    PartnerProfile.objects.create(
        organisation=organisation,
        display_name=application.company_name,
        country=application.country,
        website=application.website,
    )
    agreement = Agreement.objects.create(
        organisation=organisation, version=application.programme.agreement_version
    )
    before = {"status": application.status, "organisation": None}
    application.status = Status.APPROVED
    application.organisation = organisation
    application.decided_by = actor
    application.decided_at = timezone.now()
    application.save(update_fields=["status", "organisation", "decided_by", "decided_at"])
    audit_record(
        actor=actor,
        action="application.approved",
        obj=application,
        organisation=organisation,
        before=before,
        after={"status": application.status, "organisation": organisation.pk},
        summary=f"Application from {application.company_name} approved",
    )
    audit_record(
        actor=actor,
        action="organisation.created",
        obj=organisation,
        organisation=organisation,
        after={
            "name": organisation.name,
            "country": organisation.country,
            "partner_type": application.partner_type.code,
            "tier": first_tier.level if first_tier else None,
            "status": organisation.status,
            "agreement_version": agreement.version,
        },
        summary=f"{organisation.name} created as a {application.partner_type.name}, "
        "pending its agreement",
    )

    render_agreement_documents.delay_on_commit(
        organisation_id=str(agreement.organisation_id), agreement_id=str(agreement.pk)
    )
    invitation_create(
        organisation=organisation,
        email=application.contact_email,
        role=Membership.Role.ADMIN,
        invited_by=None,
        base_url=settings.PORTAL_BASE_URL,
    )
    _notify_applicant(application, "approved")
    return organisation
