"""Demo sessions (issue "Sessions and training"): upcoming ones open for registration and
past ones with attendance recorded, for Northwind, Bluepeak and Cloud Nine. Idempotent:
sessions are found by title, registrations by session and member; the dates move with
the day the seed runs. To be called from the demo seed once the partners exist.

Past sessions are webinars and enablement sessions only (they count towards the tier
requirement "webinars and enablement sessions" and write no training records: the
demo's training records are partners/demo.py's)."""

from __future__ import annotations

import datetime

from django.db.models import Q
from django.utils import timezone

from partners.models import Membership, Organisation, Session, SessionRegistration

_NOON_PARIS = datetime.time(10, 0, tzinfo=datetime.UTC)  # 11:00 or 12:00 in Paris

SESSIONS = [
    # title, kind, days from today, duration, capacity, extra fields
    (
        "What is new in XCP-ng 8.3",
        Session.Kind.WEBINAR,
        9,
        60,
        100,
        {"online_link": "https://meet.example/xcp-ng-83", "pes_points": 5},
    ),
    (
        "Sales training (two hours)",
        Session.Kind.SALES_TRAINING,
        16,
        120,
        20,
        {"online_link": "https://meet.example/sales-training", "pes_points": 10},
    ),
    (
        "Xen Orchestra administration",
        Session.Kind.TECHNICAL_TRAINING,
        30,
        480,
        12,
        {
            "place": "Vates, Grenoble",
            "min_tier_level": 2,
            "certification_name": "Certified Virtualization Engineer",
            "certification_validity_months": 24,
            "pes_points": 20,
        },
    ),
    (
        "Backup strategies with Xen Orchestra",
        Session.Kind.WEBINAR,
        -40,
        60,
        100,
        {"online_link": "https://meet.example/backup", "pes_points": 5},
    ),
    (
        "Partner kick-off: the year ahead",
        Session.Kind.ENABLEMENT,
        -75,
        90,
        200,
        {"online_link": "https://meet.example/kick-off", "pes_points": 5},
    ),
]

# (session title, member email, status)
REGISTRATIONS = [
    ("What is new in XCP-ng 8.3", "admin@northwind.example", "registered"),
    ("What is new in XCP-ng 8.3", "sales@northwind.example", "registered"),
    ("Sales training (two hours)", "admin@bluepeak.example", "registered"),
    ("Backup strategies with Xen Orchestra", "admin@northwind.example", "attended"),
    ("Backup strategies with Xen Orchestra", "admin@bluepeak.example", "absent"),
    ("Backup strategies with Xen Orchestra", "admin@cloudnine.example", "attended"),
    ("Partner kick-off: the year ahead", "sales@northwind.example", "attended"),
    ("Partner kick-off: the year ahead", "admin@cloudnine.example", "attended"),
]


def seed_sessions(stdout) -> None:
    today = timezone.now().date()
    sessions = {}
    for title, kind, days, minutes, capacity, extra in SESSIONS:
        starts_at = datetime.datetime.combine(today + datetime.timedelta(days=days), _NOON_PARIS)
        session, _ = Session.objects.update_or_create(
            title=title,
            defaults={
                "kind": kind,
                "starts_at": starts_at,
                "time_zone": "Europe/Paris",
                "duration_minutes": minutes,
                "capacity": capacity,
                "status": Session.Status.SCHEDULED,
                **extra,
            },
        )
        sessions[title] = session
    memberships = {
        m.user.email: m
        for m in Membership.objects.select_related("user").filter(
            user__email__in={email for _, email, _ in REGISTRATIONS}
        )
    }
    for title, email, status in REGISTRATIONS:
        membership = memberships.get(email)
        if membership is None:
            continue
        session = sessions[title]
        SessionRegistration.objects.update_or_create(
            session=session,
            membership=membership,
            defaults={
                "organisation": Organisation.objects.get(pk=membership.organisation_id),
                "person_name": membership.user.full_name or email,
                "person_email": email,
                "status": status,
                "attended_at": session.starts_at if status == "attended" else None,
            },
        )
    for session in sessions.values():
        taken = session.registrations.filter(~Q(status=SessionRegistration.Status.CANCELLED))
        Session.objects.filter(pk=session.pk).update(seats_taken=taken.count())
    stdout.write(f"Sessions: {len(sessions)} (upcoming and past, with attendance).")
