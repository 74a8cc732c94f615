"""The demo sessions: upcoming and past sessions with attendance for the demo partners;
a second run changes nothing."""

import io

import pytest
from django.core.management import call_command
from django.utils import timezone

from partners.demo_sessions import SESSIONS, seed_sessions
from partners.models import Session, SessionRegistration
from portal.tenancy.context import system_context


@pytest.mark.django_db
def test_seed_sessions_is_idempotent_and_records_attendance():
    call_command("seed_demo", stdout=io.StringIO())
    # These sessions, not the past quarters' webinars (pes.demo_history).
    titles = [title for title, *_ in SESSIONS]
    registrations = SessionRegistration.objects.filter(session__title__in=titles)
    with system_context("command:seed_demo"):
        seed_sessions(stdout=io.StringIO())
        first = sorted(registrations.values_list("session__title", "person_email", "status"))
        seed_sessions(stdout=io.StringIO())
        again = sorted(registrations.values_list("session__title", "person_email", "status"))
        attended_by = set(
            registrations.filter(status="attended").values_list("organisation__name", flat=True)
        )
    assert again == first
    assert len(first) == 8
    assert attended_by == {"Northwind Distribution", "Cloud Nine Hosting"}
    now = timezone.now()
    sessions = Session.objects.filter(title__in=titles)
    assert sessions.filter(starts_at__gt=now).count() == 3
    assert sessions.filter(starts_at__lt=now).count() == 2
    for session in Session.objects.all():
        active = session.registrations.exclude(status="cancelled").count()
        assert session.seats_taken == active
