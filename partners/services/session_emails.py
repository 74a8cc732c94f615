"""The emails of sessions (issue "Sessions and training"): the confirmation of a
registration, with the session as a calendar file (.ics, RFC 5545), and the reminder the
day before. Sent by tasks (partners/tasks.py), from ids."""

from __future__ import annotations

import datetime

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from partners.models import Session, SessionRegistration
from portal.mail import send_templated

REMINDER_BEFORE = datetime.timedelta(days=1)
ICS_NAME = "session.ics"
ICS_MIMETYPE = "text/calendar"


def _ics_text(value: str) -> str:
    """A TEXT value escaped as RFC 5545 §3.3.11 asks."""
    return (
        value.replace("\\", "\\\\")
        .replace(";", "\\;")
        .replace(",", "\\,")
        .replace("\r\n", "\\n")
        .replace("\n", "\\n")
    )


def _ics_fold(line: str) -> str:
    """Lines longer than 75 octets folded (RFC 5545 §3.1): CRLF and a space."""
    data = line.encode()
    parts = []
    while len(data) > 75:
        cut = 75 if not parts else 74
        while cut and (data[cut] & 0xC0) == 0x80:  # never inside a UTF-8 character
            cut -= 1
        parts.append(data[:cut])
        data = data[cut:]
    parts.append(data)
    return "\r\n ".join(part.decode() for part in parts)


def _ics_time(value: datetime.datetime) -> str:
    return value.astimezone(datetime.UTC).strftime("%Y%m%dT%H%M%SZ")


def session_ics(*, session: Session, registration: SessionRegistration | None = None) -> bytes:
    """The session as an iCalendar event (times in UTC)."""
    uid = f"session-{session.pk}-{registration.pk if registration else 'all'}@partner-portal"
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        "PRODID:-//Partner portal//Sessions//EN",
        "CALSCALE:GREGORIAN",
        "METHOD:PUBLISH",
        "BEGIN:VEVENT",
        f"UID:{uid}",
        f"DTSTAMP:{_ics_time(timezone.now())}",
        f"DTSTART:{_ics_time(session.starts_at)}",
        f"DTEND:{_ics_time(session.ends_at)}",
        f"SUMMARY:{_ics_text(session.title)}",
    ]
    if session.description:
        lines.append(f"DESCRIPTION:{_ics_text(session.description)}")
    if session.place:
        lines.append(f"LOCATION:{_ics_text(session.place)}")
    elif session.online_link:
        lines.append(f"LOCATION:{_ics_text(session.online_link)}")
    if session.online_link:
        lines.append(f"URL:{session.online_link}")
    lines += ["END:VEVENT", "END:VCALENDAR"]
    return ("\r\n".join(_ics_fold(line) for line in lines) + "\r\n").encode()


def _ics_attachment(registration: SessionRegistration) -> tuple[str, bytes, str]:
    ics = session_ics(session=registration.session, registration=registration)
    return ICS_NAME, ics, ICS_MIMETYPE


def _context(registration: SessionRegistration) -> dict:
    session = registration.session
    return {
        "name": registration.person_name,
        "session": session,
        "kind": session.get_kind_display(),
        # Naive, so templates show it as it is (not turned into the current time zone).
        "local_start": session.local_start.replace(tzinfo=None),
        "sessions_url": settings.PORTAL_BASE_URL + "/space/sessions/",
    }


def registration_confirm(*, registration_id) -> int:
    """Email the confirmation, with the calendar file, to the registered person (the task's
    tenant context: nothing for another partner's registration). Returns how many sent."""
    registration = (
        SessionRegistration.objects.select_related("session")
        .filter(pk=registration_id, status=SessionRegistration.Status.REGISTERED)
        .first()
    )
    if registration is None:
        return 0
    send_templated(
        to=[registration.person_email],
        template="partners/emails/session_registered",
        context=_context(registration),
        attachments=[_ics_attachment(registration)],
    )
    return 1


def session_reminders_send(*, now: datetime.datetime | None = None) -> int:
    """Remind the people registered for the scheduled sessions starting within a day.
    Idempotent: each registration is claimed by a conditional update of ``reminded_at``
    (only the run that sets it sends), one transaction per reminder. Runs in its system
    context (the beat task). Returns how many were reminded."""
    now = now or timezone.now()
    due = SessionRegistration.objects.filter(
        status=SessionRegistration.Status.REGISTERED,
        reminded_at__isnull=True,
        session__status=Session.Status.SCHEDULED,
        session__starts_at__gt=now,
        session__starts_at__lte=now + REMINDER_BEFORE,
    )
    sent = 0
    for registration_id in list(due.values_list("pk", flat=True)):
        with transaction.atomic():
            if not due.filter(pk=registration_id).update(reminded_at=now):
                continue  # another run claimed it
            registration = SessionRegistration.objects.select_related("session").get(
                pk=registration_id
            )
            send_templated(
                to=[registration.person_email],
                template="partners/emails/session_reminder",
                context=_context(registration),
                attachments=[_ics_attachment(registration)],
            )
            sent += 1
    return sent
