"""Recording attendance: the staff permission, the training records it writes (sales
training; a technical certification with its expiry), the tier requirement "webinars and
enablement sessions", the CSV import; and capacity under concurrency."""

from __future__ import annotations

import datetime
import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.db import connection
from django.utils import timezone

from partners.models import (
    Membership,
    SalesTraining,
    Session,
    SessionRegistration,
    TechnicalCertification,
)
from partners.selectors.sessions import sessions_attended_by_organisation, sessions_attended_count
from partners.selectors.training import certified_counts
from partners.services.sessions import attendance_import, attendance_record, session_register
from portal.errors import Conflict, Forbidden
from portal.models import AuditEvent
from portal.tenancy.context import system_context, tenant_context
from tests.billing.conftest import make_partner
from tests.factories import MembershipFactory, staff_user
from tests.sessions.conftest import make_session
from tests.tenancy_support import observer

NOW = timezone.now()
PAST = datetime.datetime(2026, 3, 10, 23, 30, tzinfo=datetime.UTC)  # 11 March in Paris


def _register_members(tenant, session, count: int) -> list[SessionRegistration]:
    """``count`` sales members of the partner registered (while the session is ahead)."""
    registrations = []
    for _ in range(count):
        member = MembershipFactory(organisation=tenant.organisation, role=Membership.Role.SALES)
        with tenant_context(tenant.organisation.pk):
            registrations.append(
                session_register(
                    organisation=tenant.organisation,
                    actor=member.user,
                    role="sales",
                    session_id=session.pk,
                    now=session.starts_at - datetime.timedelta(days=1),
                )
            )
    return registrations


def _recorder():
    return staff_user("partners.record_attendance", email="events@vendor.example")


@pytest.mark.django_db
def test_attendance_needs_the_permission(partner):
    reseller = partner("reseller", tier=2)
    session = make_session(starts_at=PAST)
    [registration] = _register_members(reseller, session, 1)
    unpermitted = staff_user("partners.record_training", email="other@vendor.example")
    with system_context("staff:test"), pytest.raises(Forbidden):
        attendance_record(actor=unpermitted, session=session, attended_ids=[registration.pk])
    with system_context("staff:test"), pytest.raises(Forbidden):
        attendance_import(actor=unpermitted, session=session, content=b"email\nx@y.example\n")
    registration.refresh_from_db()
    assert registration.status == "registered"


@pytest.mark.django_db
def test_attendance_waits_for_the_session_to_start(partner):
    reseller = partner("reseller", tier=2)
    session = make_session()
    [registration] = _register_members(reseller, session, 1)
    with system_context("staff:test"), pytest.raises(Conflict):
        attendance_record(actor=_recorder(), session=session, attended_ids=[registration.pk])


@pytest.mark.django_db
def test_the_sales_training_attended_counts_for_the_tier_requirements(partner):
    # Given a reseller whose two members registered for the sales training, held 11 March
    reseller = partner("reseller", tier=2)
    session = make_session(kind=Session.Kind.SALES_TRAINING, starts_at=PAST, pes_points=5)
    there, away = _register_members(reseller, session, 2)
    organisation = reseller.organisation
    q1 = (datetime.date(2026, 1, 1), datetime.date(2026, 3, 31))
    with tenant_context(organisation.pk):
        assert sessions_attended_count(organisation=organisation, start=q1[0], end=q1[1]) == 0
        assert certified_counts(organisation=organisation, on=q1[1]).sales == 0

    # When the channel team ticks the first one
    with system_context("staff:test"):
        result = attendance_record(actor=_recorder(), session=session, attended_ids=[there.pk])

    # Then: attended and absent, a sales training record, and the counts move
    assert (result.attended, result.absent) == (1, 1)
    with observer():
        there.refresh_from_db()
        away.refresh_from_db()
        [training] = SalesTraining.objects.all()
        events = list(AuditEvent.objects.filter(action="session.attended"))
    assert (there.status, away.status) == ("attended", "absent")
    assert training.membership_id == there.membership_id
    assert training.attended_on == datetime.date(2026, 3, 11)  # the session's local day
    assert training.session == session.title
    assert [event.after["pes_points"] for event in events] == [5]
    with tenant_context(organisation.pk):
        assert sessions_attended_count(organisation=organisation, start=q1[0], end=q1[1]) == 1
        assert certified_counts(organisation=organisation, on=q1[1]).sales == 1
    with system_context("staff:test"):
        assert sessions_attended_by_organisation(start=q1[0], end=q1[1]) == {organisation.pk: 1}

    # And recording again writes nothing twice
    with system_context("staff:test"):
        again = attendance_record(actor=_recorder(), session=session, attended_ids=[there.pk])
    assert (again.attended, again.absent) == (0, 0)
    with observer():
        assert SalesTraining.objects.count() == 1


@pytest.mark.django_db
def test_a_certifying_training_gives_the_certification_with_its_expiry(partner):
    reseller = partner("reseller", tier=2)
    session = make_session(
        kind=Session.Kind.TECHNICAL_TRAINING,
        starts_at=PAST,
        certification_name="XCP-ng Certified Administrator",
        certification_validity_months=24,
    )
    [registration] = _register_members(reseller, session, 1)
    with system_context("staff:test"):
        attendance_record(actor=_recorder(), session=session, attended_ids=[registration.pk])
    with observer():
        [certification] = TechnicalCertification.objects.all()
        assert SalesTraining.objects.count() == 0
    assert certification.name == "XCP-ng Certified Administrator"
    assert certification.obtained_on == datetime.date(2026, 3, 11)
    assert certification.expires_on == datetime.date(2028, 3, 11)
    with tenant_context(reseller.organisation.pk):
        counts = certified_counts(organisation=reseller.organisation, on=datetime.date(2026, 6, 1))
    assert counts.technical == 1


@pytest.mark.django_db
def test_several_members_at_one_session_count_it_once(partner):
    reseller, other = partner("reseller", tier=2), partner("reseller", tier=1)
    webinar = make_session(starts_at=PAST)
    enablement = make_session(kind=Session.Kind.ENABLEMENT, starts_at=PAST)
    ids = [r.pk for r in _register_members(reseller, webinar, 3)]
    ids += [r.pk for r in _register_members(reseller, enablement, 1)]
    other_ids = [r.pk for r in _register_members(other, webinar, 1)]
    with system_context("staff:test"):
        attendance_record(actor=_recorder(), session=webinar, attended_ids=ids[:3] + other_ids)
        attendance_record(actor=_recorder(), session=enablement, attended_ids=ids[3:])
        by_organisation = sessions_attended_by_organisation(
            start=datetime.date(2026, 1, 1), end=datetime.date(2026, 12, 31)
        )
    assert by_organisation == {reseller.organisation.pk: 2, other.organisation.pk: 1}


@pytest.mark.django_db
def test_the_csv_import_ticks_known_emails_and_lists_the_others(partner):
    reseller = partner("reseller", tier=2)
    session = make_session(starts_at=PAST)
    first, second = _register_members(reseller, session, 2)
    content = f"Name,Email\nFirst,{first.person_email.upper()}\nNobody,nobody@else.example\n"
    with system_context("staff:test"):
        result = attendance_import(actor=_recorder(), session=session, content=content.encode())
    assert result.attended == 1
    assert result.unknown == ("nobody@else.example",)
    with observer():
        first.refresh_from_db()
        second.refresh_from_db()
    assert (first.status, second.status) == ("attended", "registered")  # nobody marked absent


@pytest.mark.django_db(transaction=True)
def test_capacity_holds_when_many_register_at_once(vates_committed):
    # Given a session of 5 seats and 4 partners with 4 members each
    session = make_session(capacity=5, starts_at=NOW + datetime.timedelta(days=3))
    members = []
    for n in range(4):
        tenant = make_partner(vates_committed, type_code="reseller", tier=2, name=f"Racer {n}")
        for _ in range(4):
            member = MembershipFactory(organisation=tenant.organisation, role=Membership.Role.SALES)
            members.append((tenant.organisation, member))
    start = threading.Barrier(len(members))

    # When all 16 register at once, each on its own connection and tenant context
    def register(pair) -> str:
        organisation, member = pair
        try:
            start.wait(timeout=30)
            with tenant_context(organisation.pk):
                session_register(
                    organisation=organisation,
                    actor=member.user,
                    role="sales",
                    session_id=session.pk,
                )
            return "registered"
        except Conflict as exc:
            return exc.code
        finally:
            connection.close()

    with ThreadPoolExecutor(max_workers=len(members)) as pool:
        outcomes = list(pool.map(register, members))

    # Then exactly five got a seat, the others were told it is full
    assert sorted(outcomes).count("registered") == 5
    assert outcomes.count("session_full") == 11
    session.refresh_from_db()
    assert session.seats_taken == 5
    with observer():
        assert SessionRegistration.objects.filter(session=session).count() == 5


@pytest.mark.django_db
def test_scheduling_checks_its_rules_and_is_audited():
    from partners.services.sessions import session_save
    from portal.errors import DomainError

    manager = staff_user("partners.add_session", "partners.change_session", email="pm@v.example")
    session = Session(
        title="Ops webinar",
        kind=Session.Kind.WEBINAR,
        starts_at=NOW + datetime.timedelta(days=3),
        capacity=5,
        certification_name="Not for webinars",
        online_link="https://meet.example/ops",
    )
    with system_context("staff:test"), pytest.raises(DomainError) as raised:
        session_save(actor=manager, session=session)
    assert raised.value.field == "certification_name"
    session.certification_name = ""
    with system_context("staff:test"):
        session_save(actor=manager, session=session)
        with pytest.raises(Forbidden):
            session_save(actor=_recorder(), session=session)
        assert AuditEvent.objects.filter(action="session.scheduled").count() == 1
