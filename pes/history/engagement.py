"""Engagement of the history: points entries (with their approved claims), the months'
webinars attended, sales training and technical certifications of members."""

from __future__ import annotations

import datetime
import uuid
from collections import Counter

from django.db import connection

from partners.models import SalesTraining, Session, SessionRegistration, TechnicalCertification
from pes.history.plan import History, Person, Points
from pes.history.rows import at, bulk_insert
from pes.models import Claim, PointsEntry

WEBINAR_TITLE = "Partner webinar, {month:%B %Y}"
EVENT_KEY_PREFIX = "history"


def write_points(entries: list[Points], written: Counter) -> None:
    claims, rows = [], []
    for entry in entries:
        claim = None
        if entry.kind == PointsEntry.Kind.CLAIM:
            claim = Claim(
                organisation_id=entry.organisation_id,
                activity=entry.activity,
                performed_on=entry.earned_on - datetime.timedelta(days=3),
                description=entry.description,
                status=Claim.Status.APPROVED,
                points=entry.points,
                submitted_at=at(entry.earned_on - datetime.timedelta(days=2)),
                decided_at=at(entry.earned_on),
            )
            claims.append(claim)
        rows.append(
            PointsEntry(
                organisation_id=entry.organisation_id,
                kind=entry.kind,
                category=entry.activity.category if entry.activity is not None else "",
                activity=entry.activity,
                points=entry.points,
                earned_on=entry.earned_on,
                description=entry.description[:250],
                claim=claim,
                event_key=(
                    f"{EVENT_KEY_PREFIX}:{uuid.uuid4().hex}"
                    if entry.kind == PointsEntry.Kind.EVENT
                    else ""
                ),
                created_at=at(entry.earned_on),
            )
        )
    bulk_insert(Claim, claims)
    bulk_insert(PointsEntry, rows)
    written.update(claims=len(claims), points_entries=len(rows))


def write_attendances(attendances, written: Counter) -> None:
    if not attendances:
        return
    months = sorted({on.replace(day=1) for _, on in attendances})
    sessions = {}
    for month in months:
        starts_at = at(month + datetime.timedelta(days=14), hour=9)
        sessions[month], _ = Session.objects.get_or_create(
            title=WEBINAR_TITLE.format(month=month),
            starts_at=starts_at,
            defaults={
                "kind": Session.Kind.WEBINAR,
                "capacity": 1,
                "description": "The month's programme news and a product demonstration.",
                "online_link": "https://webinars.vates.example/partners",
            },
        )
    seen, rows = set(), []
    for person, on in attendances:
        session = sessions[on.replace(day=1)]
        if (session.pk, person.membership_id) in seen:
            continue
        seen.add((session.pk, person.membership_id))
        rows.append(
            SessionRegistration(
                organisation_id=person.organisation_id,
                session=session,
                membership_id=person.membership_id,
                person_name=person.name,
                person_email=person.email,
                status=SessionRegistration.Status.ATTENDED,
                attended_at=session.starts_at,
                created_at=session.starts_at - datetime.timedelta(days=7),
            )
        )
    # A member already registered to the month's webinar keeps that registration.
    bulk_insert(SessionRegistration, rows, ignore_conflicts=True)
    # Seats are counted under the session's row (partners.services.sessions): recount them.
    with connection.cursor() as cursor:
        cursor.execute(
            """
            UPDATE partners_session s
            SET seats_taken = c.taken, capacity = GREATEST(s.capacity, c.taken)
            FROM (
                SELECT session_id, COUNT(*) AS taken FROM partners_sessionregistration
                WHERE session_id = ANY(%s) AND status <> 'cancelled' GROUP BY session_id
            ) c
            WHERE c.session_id = s.id
            """,
            [[s.pk for s in sessions.values()]],
        )
    written.update(sessions=len(sessions), attendances=len(rows))


def write_training(history: History, written: Counter) -> None:
    def person(p: Person) -> dict:
        return {
            "organisation_id": p.organisation_id,
            "membership_id": p.membership_id,
            "person_name": p.name,
            "person_email": p.email,
        }

    trainings = [
        SalesTraining(
            **person(p), attended_on=on, session="Sales training (two hours)", created_at=at(on)
        )
        for p, on in history.trainings
    ]
    certifications = [
        TechnicalCertification(
            **person(p),
            name=name,
            obtained_on=obtained,
            expires_on=expires,
            created_at=at(obtained),
        )
        for p, obtained, expires, name in history.certifications
    ]
    bulk_insert(SalesTraining, trainings)
    bulk_insert(TechnicalCertification, certifications)
    written.update(trainings=len(trainings), certifications=len(certifications))
