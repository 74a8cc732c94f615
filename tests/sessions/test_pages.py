"""The reseller space's page and the channel team's admin: registering from the page
(members themselves, admins anyone), and recording attendance in the admin (its
permission, the tick list, the CSV import)."""

from __future__ import annotations

import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone

from partners.models import Membership, Session, SessionRegistration
from tests.factories import MembershipFactory, staff_user
from tests.sessions.conftest import make_session
from tests.tenancy_support import observer

PAGE = "/space/sessions/"


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.mark.django_db
def test_a_member_registers_and_cancels_from_the_page(partner):
    reseller = partner("reseller", tier=2)
    session = make_session(title="Backup deep dive")
    sales = MembershipFactory(organisation=reseller.organisation, role=Membership.Role.SALES)
    client = _client(sales.user)

    page = client.get(PAGE)
    assert page.status_code == 200
    assert b"Backup deep dive" in page.content
    response = client.post(PAGE, {"action": "register", "session": session.pk})
    assert response.status_code == 302
    with observer():
        [registration] = SessionRegistration.objects.all()
    assert registration.membership == sales

    # Registering someone else is for administrators: refused with a message
    client.post(
        PAGE, {"action": "register", "session": session.pk, "member": reseller.membership.pk}
    )
    with observer():
        assert SessionRegistration.objects.count() == 1
    assert "Only administrators" in client.get(PAGE).content.decode()

    client.post(PAGE, {"action": "cancel", "registration": registration.pk})
    registration.refresh_from_db()
    assert registration.status == "cancelled"


@pytest.mark.django_db
def test_the_page_shows_local_times_and_past_attendance(partner):
    reseller = partner("reseller", tier=2)
    make_session(
        title="Tokyo webinar",
        starts_at=datetime.datetime(2031, 1, 6, 1, 0, tzinfo=datetime.UTC),
        time_zone="Asia/Tokyo",
    )
    past = make_session(title="Old one", starts_at=timezone.now() - datetime.timedelta(days=3))
    with observer():
        SessionRegistration.objects.create(
            organisation=reseller.organisation,
            session=past,
            membership=reseller.membership,
            person_name="Ada Admin",
            person_email=reseller.admin.email,
            status="attended",
        )
    content = _client(reseller.admin).get(PAGE).content.decode()
    assert "Mon 6 Jan 2031, 10:00" in content  # 01:00 UTC is 10:00 in Tokyo
    assert "Old one" in content
    assert "Attended" in content


@pytest.mark.django_db
def test_the_attendance_page_needs_the_permission(partner):
    session = make_session(starts_at=timezone.now() - datetime.timedelta(hours=2))
    url = f"/admin/partners/session/{session.pk}/attendance/"
    reviewer = staff_user("partners.view_session", email="viewer@vendor.example")
    assert _client(reviewer).get(url).status_code == 403
    recorder = staff_user(
        "partners.view_session", "partners.record_attendance", email="rec@vendor.example"
    )
    assert _client(recorder).get(url).status_code == 200


@pytest.mark.django_db
def test_ticking_and_importing_attendance_in_the_admin(partner):
    reseller = partner("reseller", tier=2)
    session = make_session(
        kind=Session.Kind.SALES_TRAINING, starts_at=timezone.now() - datetime.timedelta(hours=2)
    )
    rows = []
    with observer():
        for n in range(3):
            member = MembershipFactory(organisation=reseller.organisation)
            rows.append(
                SessionRegistration.objects.create(
                    organisation=reseller.organisation,
                    session=session,
                    membership=member,
                    person_name=f"Person {n}",
                    person_email=f"person{n}@reseller.example",
                )
            )
    client = _client(
        staff_user("partners.view_session", "partners.record_attendance", email="r@vendor.example")
    )
    url = f"/admin/partners/session/{session.pk}/attendance/"

    csv = SimpleUploadedFile("list.csv", b"email\nperson2@reseller.example\n", "text/csv")
    assert client.post(url, {"csv_file": csv}).status_code == 302
    assert client.post(url, {"attended": [str(rows[0].pk)]}).status_code == 302

    with observer():
        statuses = [SessionRegistration.objects.get(pk=r.pk).status for r in rows]
    assert statuses == ["attended", "absent", "attended"]
