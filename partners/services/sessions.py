"""Registrations to sessions and their attendance (issue "Sessions and training").

* A member registers themselves; an administrator may register any member of the
  organisation. The session must be scheduled, not started, and open to the
  organisation's type and tier.
* Capacity holds under concurrency: a registration row-locks the session, then checks
  and moves its ``seats_taken`` (a partner's context sees only its own registrations, so
  counting them could not be trusted; the counter is kept under the lock, and a database
  constraint keeps it within the capacity).
* The channel team records attendance (``partners.record_attendance``): a ticked
  registration becomes "attended" and writes the training records (a sales training →
  ``SalesTraining``; a certifying technical training → ``TechnicalCertification``
  expiring after the session's validity); the unticked ones become "absent". The audit
  event ``session.attended`` carries the session's PES points for the engagement score.
"""

from __future__ import annotations

import csv
import datetime
import io
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from licensing.services.licences import add_months
from partners import roles
from partners.models import Membership, Organisation, Session, SessionRegistration
from partners.selectors.sessions import session_is_eligible
from partners.services.training import certification_write, sales_training_write
from portal.audit.services import audit_record
from portal.errors import Conflict, DomainError, Forbidden, NotFound
from portal.permissions import require_staff_permission

_NAME_MAX = SessionRegistration._meta.get_field("person_name").max_length
_AUDITED = ["status", "attended_at"]


def _lock_session(session_id) -> Session:
    try:
        return Session.objects.select_for_update().get(pk=session_id)
    except (Session.DoesNotExist, ValidationError, ValueError) as exc:
        raise NotFound("No such session.") from exc


def _member(*, organisation: Organisation, actor, role: str, membership_id) -> Membership:
    """The member to register: the actor by default; another member for admins only."""
    own = Membership.objects.filter(user=actor, organisation=organisation).first()
    if membership_id in (None, "") or (own is not None and str(own.pk) == str(membership_id)):
        if own is None:
            raise Forbidden("Only members of the organisation register for sessions.")
        return own
    if role != roles.ADMIN:
        raise Forbidden(
            "Only administrators register other members; you may register yourself.",
            code="admin_required",
        )
    try:
        return (
            Membership.objects.owned_by(organisation).select_related("user").get(pk=membership_id)
        )
    except (Membership.DoesNotExist, ValidationError, ValueError) as exc:
        raise DomainError(
            "Choose a member of your organisation.", field="member", code="invalid_member"
        ) from exc


@transaction.atomic
def session_register(
    *,
    organisation: Organisation,
    actor,
    role: str,
    session_id,
    membership_id=None,
    now: datetime.datetime | None = None,
) -> SessionRegistration:
    """Register a member (by default the actor) for a session; the confirmation email
    (with its calendar file) is sent after commit."""
    now = now or timezone.now()
    member = _member(organisation=organisation, actor=actor, role=role, membership_id=membership_id)
    session = _lock_session(session_id)
    if not session_is_eligible(session=session, organisation=organisation):
        raise NotFound("No such session.")  # not offered to this partner: not shown either
    if session.status != Session.Status.SCHEDULED:
        raise Conflict("This session was cancelled.", code="session_cancelled")
    if session.starts_at <= now:
        raise Conflict("This session has already started.", code="session_started")
    already = SessionRegistration.objects.owned_by(organisation).filter(
        session=session, membership=member
    )
    if already.exclude(status=SessionRegistration.Status.CANCELLED).exists():
        raise Conflict(
            f"{member.user.email} is already registered for this session.",
            code="already_registered",
        )
    if session.seats_taken >= session.capacity:
        raise Conflict("This session is full.", code="session_full")
    user = member.user
    registration = SessionRegistration.objects.create(
        organisation=organisation,
        session=session,
        membership=member,
        person_name=(user.full_name.strip() or user.email)[:_NAME_MAX],
        person_email=user.email,
        registered_by=actor,
    )
    Session.objects.filter(pk=session.pk).update(seats_taken=F("seats_taken") + 1)
    audit_record(
        actor=actor,
        action="session.registered",
        obj=registration,
        organisation=organisation,
        after={"session": str(session.pk), "person_email": registration.person_email},
        summary=f"{registration.person_name} registered for {session.title}",
    )
    from partners.tasks import send_session_confirmation

    send_session_confirmation.delay_on_commit(
        registration_id=str(registration.pk), organisation_id=str(organisation.pk)
    )
    return registration


@transaction.atomic
def registration_cancel(
    *,
    organisation: Organisation,
    actor,
    role: str,
    registration_id,
    now: datetime.datetime | None = None,
) -> SessionRegistration:
    """Cancel a registration before the session starts: the person themselves or an
    administrator. Frees the seat."""
    now = now or timezone.now()
    try:
        registration = (
            SessionRegistration.objects.owned_by(organisation)
            .select_related("membership")
            .get(pk=registration_id)
        )
    except (SessionRegistration.DoesNotExist, ValidationError, ValueError) as exc:
        raise NotFound("No such registration.") from exc
    own = registration.membership is not None and registration.membership.user_id == actor.pk
    if not own and role != roles.ADMIN:
        raise Forbidden(
            "Only administrators cancel other members' registrations.", code="admin_required"
        )
    session = _lock_session(registration.session_id)
    registration.refresh_from_db()
    if registration.status != SessionRegistration.Status.REGISTERED:
        raise Conflict("This registration can no longer be cancelled.", code="not_registered")
    if session.starts_at <= now:
        raise Conflict("This session has already started.", code="session_started")
    registration.status = SessionRegistration.Status.CANCELLED
    registration.save(update_fields=["status"])
    Session.objects.filter(pk=session.pk).update(seats_taken=F("seats_taken") - 1)
    audit_record(
        actor=actor,
        action="session.registration_cancelled",
        obj=registration,
        organisation=organisation,
        before={"status": SessionRegistration.Status.REGISTERED},
        after={"status": registration.status},
        summary=f"Registration of {registration.person_name} for {session.title} cancelled",
    )
    return registration


@dataclass(frozen=True)
class AttendanceResult:
    attended: int
    absent: int
    unknown: tuple[str, ...] = ()


def _require_attendance_permission(actor) -> None:
    require_staff_permission(
        actor,
        "partners.record_attendance",
        "Recording attendance needs the channel team's permission for it.",
    )


def award_session(**kwargs) -> None:
    from pes.services.awards import award_session  # pes imports partners

    award_session(**kwargs)  # the session's engagement points, once per registration


def _write_training(*, actor, registration: SessionRegistration, session: Session, on) -> None:
    person = {
        "organisation": registration.organisation,
        "membership": registration.membership,
        "person_name": registration.person_name,
        "person_email": registration.person_email,
    }
    if session.kind == Session.Kind.SALES_TRAINING:
        sales_training_write(actor=actor, attended_on=on, session=session.title[:150], **person)
    elif session.certifies:
        months = session.certification_validity_months
        certification_write(
            actor=actor,
            name=session.certification_name,
            obtained_on=on,
            expires_on=add_months(on, months) if months else None,
            **person,
        )


@transaction.atomic
def attendance_record(
    *,
    actor,
    session: Session,
    attended_ids,
    mark_absent: bool = True,
    now: datetime.datetime | None = None,
) -> AttendanceResult:
    """Record who attended a session that has started: the registrations whose ids are
    in ``attended_ids`` attended (their training records are written once); with
    ``mark_absent``, the other registered ones were absent. An attendance already
    recorded stays (its training records are corrected where they are kept)."""
    _require_attendance_permission(actor)
    now = now or timezone.now()
    session = _lock_session(session.pk)
    if session.status != Session.Status.SCHEDULED:
        raise Conflict("This session was cancelled.", code="session_cancelled")
    if session.starts_at > now:
        raise Conflict("Attendance is recorded once the session has started.", code="not_started")
    wanted = {str(pk) for pk in attended_ids}
    registrations = list(
        SessionRegistration.objects.select_for_update(of=("self",))
        .select_related("organisation", "membership")
        .filter(session=session)
        .exclude(status=SessionRegistration.Status.CANCELLED)
        .order_by("pk")
    )
    unknown = wanted - {str(r.pk) for r in registrations}
    if unknown:
        raise DomainError(
            "Some ticked registrations are not registrations of this session.",
            field="attended",
            code="unknown_registration",
        )
    attended = absent = 0
    on = session.local_start.date()
    for registration in registrations:
        before = {"status": registration.status}
        if str(registration.pk) in wanted:
            if registration.status == SessionRegistration.Status.ATTENDED:
                continue
            registration.status = SessionRegistration.Status.ATTENDED
            registration.attended_at = session.starts_at
            registration.save(update_fields=["status", "attended_at"])
            _write_training(actor=actor, registration=registration, session=session, on=on)
            award_session(registration=registration, session=session, on=on)
            attended += 1
            audit_record(
                actor=actor,
                action="session.attended",
                obj=registration,
                organisation=registration.organisation,
                before=before,
                after={"status": registration.status, "pes_points": session.pes_points},
                summary=f"{registration.person_name} attended {session.title}",
            )
        elif mark_absent and registration.status == SessionRegistration.Status.REGISTERED:
            registration.status = SessionRegistration.Status.ABSENT
            registration.save(update_fields=["status"])
            absent += 1
            audit_record(
                actor=actor,
                action="session.absent",
                obj=registration,
                organisation=registration.organisation,
                before=before,
                after={"status": registration.status},
                summary=f"{registration.person_name} did not attend {session.title}",
            )
    return AttendanceResult(attended=attended, absent=absent)


def attendance_emails(content: bytes) -> list[str]:
    """The email addresses of an attendance CSV: an "email" column if the header has
    one, else every cell that looks like an address."""
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise DomainError("The file is not UTF-8 text (CSV).", field="file") from exc
    rows = list(csv.reader(io.StringIO(text)))
    if not rows:
        return []
    header = [cell.strip().lower() for cell in rows[0]]
    if "email" in header:
        column = header.index("email")
        cells = [row[column] for row in rows[1:] if len(row) > column]
    else:
        cells = [cell for row in rows for cell in row]
    return sorted({cell.strip().lower() for cell in cells if "@" in cell})


def attendance_import(
    *, actor, session: Session, content: bytes, now: datetime.datetime | None = None
) -> AttendanceResult:
    """Tick the registrations whose email is in the CSV (nobody is marked absent); the
    addresses matching no registration are returned to show."""
    _require_attendance_permission(actor)
    emails = attendance_emails(content)
    if not emails:
        raise DomainError("The file holds no email address.", field="file", code="empty")
    by_email = {
        r.person_email.lower(): r.pk
        for r in SessionRegistration.objects.filter(session=session).exclude(
            status=SessionRegistration.Status.CANCELLED
        )
    }
    result = attendance_record(
        actor=actor,
        session=session,
        attended_ids=[by_email[e] for e in emails if e in by_email],
        mark_absent=False,
        now=now,
    )
    unknown = tuple(e for e in emails if e not in by_email)
    return AttendanceResult(attended=result.attended, absent=0, unknown=unknown)


# --- scheduling (the channel team, in the admin) -----------------------------------------

SESSION_AUDITED = [
    "title",
    "kind",
    "starts_at",
    "time_zone",
    "duration_minutes",
    "capacity",
    "online_link",
    "place",
    "min_tier_level",
    "certification_name",
    "certification_validity_months",
    "pes_points",
    "status",
]


def session_validate(*, session: Session) -> None:
    """A session's own rules: a link or a place; a certification only for technical
    trainings, with its validity; never fewer seats than people already registered."""
    if not session.online_link and not session.place.strip():
        raise DomainError(
            "Give the online link or the place.", field="online_link", code="required"
        )
    if session.certification_name.strip():
        if session.kind != Session.Kind.TECHNICAL_TRAINING:
            raise DomainError(
                "Only technical trainings give a certification.",
                field="certification_name",
                code="not_technical",
            )
        if not session.certification_validity_months:
            raise DomainError(
                "Say for how many months the certification is valid.",
                field="certification_validity_months",
                code="required",
            )
    if session.pk and session.capacity < session.seats_taken:
        raise DomainError(
            f"{session.seats_taken} people are registered: the capacity cannot be lower.",
            field="capacity",
            code="below_registrations",
        )


@transaction.atomic
def session_save(*, actor, session: Session) -> Session:
    """Schedule a session or save its changes (the admin's form fills ``session``)."""
    require_staff_permission(
        actor,
        "partners.change_session" if session.pk else "partners.add_session",
        "Scheduling sessions needs the channel team's permission for it.",
    )
    if session.pk:
        stored = _lock_session(session.pk)
        session.seats_taken = stored.seats_taken
        before = {field: str(getattr(stored, field)) for field in SESSION_AUDITED}
    else:
        before = {}
    session_validate(session=session)
    session.save()
    after = {field: str(getattr(session, field)) for field in SESSION_AUDITED}
    audit_record(
        actor=actor,
        action="session.changed" if before else "session.scheduled",
        obj=session,
        organisation=None,
        before=before,
        after=after,
        summary=f"Session {session.title} " + ("changed" if before else "scheduled"),
    )
    return session
