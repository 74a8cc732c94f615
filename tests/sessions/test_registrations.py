"""Registering for sessions: who may register whom, eligibility by type and tier, the
seats, cancelling; the confirmation email with its calendar file; the reminder the day
before, once."""

from __future__ import annotations

import datetime

import pytest
from django.core import mail
from django.utils import timezone

from partners.models import Membership, PartnerType, Session, SessionRegistration
from partners.selectors.sessions import registrations_of, sessions_upcoming
from partners.services.session_emails import session_ics, session_reminders_send
from partners.services.sessions import registration_cancel, session_register
from portal.errors import Conflict, DomainError, Forbidden, NotFound
from portal.tenancy.context import system_context, tenant_context
from tests.factories import MembershipFactory


def _register(tenant, session, *, user=None, role="admin", member=None):
    with tenant_context(tenant.organisation.pk):
        return session_register(
            organisation=tenant.organisation,
            actor=user or tenant.admin,
            role=role,
            session_id=session.pk,
            membership_id=member.pk if member else None,
        )


def _sales_member(tenant) -> Membership:
    return MembershipFactory(organisation=tenant.organisation, role=Membership.Role.SALES)


@pytest.mark.django_db
def test_a_member_registers_themselves_and_an_admin_registers_anyone(partner, session_factory):
    reseller = partner("reseller", tier=2)
    session = session_factory()
    sales = _sales_member(reseller)

    mine = _register(reseller, session, user=sales.user, role="sales")
    theirs = _register(reseller, session, member=_sales_member(reseller))

    assert mine.membership == sales
    assert mine.person_email == sales.user.email
    assert mine.registered_by == sales.user
    assert theirs.registered_by == reseller.admin
    session.refresh_from_db()
    assert session.seats_taken == 2
    assert session.seats_left == 8


@pytest.mark.django_db
def test_a_member_who_is_not_admin_cannot_register_someone_else(partner, session_factory):
    reseller = partner("reseller", tier=2)
    session = session_factory()
    sales = _sales_member(reseller)
    with pytest.raises(Forbidden):
        _register(reseller, session, user=sales.user, role="sales", member=reseller.membership)
    assert SessionRegistration.objects.count() == 0


@pytest.mark.django_db
def test_an_admin_cannot_register_another_partners_member(partner, session_factory):
    reseller, other = partner("reseller", tier=2), partner("reseller", tier=2)
    session = session_factory()
    with pytest.raises(DomainError) as raised:
        _register(reseller, session, member=other.membership)
    assert getattr(raised.value, "field", None) == "member"


@pytest.mark.django_db
def test_eligibility_by_type_and_tier(partner, session_factory, vates):
    reseller_2 = partner("reseller", tier=2)
    reseller_3 = partner("reseller", tier=3)
    msp = PartnerType.objects.get(programme=vates, code="msp")
    for_msps = session_factory(title="MSP only", partner_types=[msp])
    from_tier_3 = session_factory(title="Tier 3 and up", min_tier_level=3)
    everyone = session_factory(title="Everyone")

    with tenant_context(reseller_2.organisation.pk):
        assert list(sessions_upcoming(organisation=reseller_2.organisation)) == [everyone]
    with tenant_context(reseller_3.organisation.pk):
        listed = set(sessions_upcoming(organisation=reseller_3.organisation))
    assert listed == {everyone, from_tier_3}
    for session in (for_msps, from_tier_3):
        with pytest.raises(NotFound):
            _register(reseller_2, session)
    assert _register(reseller_3, from_tier_3).status == "registered"


@pytest.mark.django_db
def test_past_cancelled_and_full_sessions_refuse_registrations(partner, session_factory):
    reseller = partner("reseller", tier=2)
    past = session_factory(starts_at=timezone.now() - datetime.timedelta(hours=1))
    cancelled = session_factory(status=Session.Status.CANCELLED)
    full = session_factory(capacity=1)
    _register(reseller, full)
    for session, code in (
        (past, "session_started"),
        (cancelled, "session_cancelled"),
        (full, "session_full"),
    ):
        with pytest.raises(Conflict) as raised:
            _register(reseller, session, member=_sales_member(reseller))
        assert raised.value.code == code
    assert list(sessions_upcoming(organisation=reseller.organisation)) == [full]


@pytest.mark.django_db
def test_twice_is_refused_and_cancelling_frees_the_seat(partner, session_factory):
    reseller = partner("reseller", tier=2)
    session = session_factory(capacity=1)
    registration = _register(reseller, session)
    with pytest.raises(Conflict):
        _register(reseller, session)

    with tenant_context(reseller.organisation.pk):
        registration_cancel(
            organisation=reseller.organisation,
            actor=reseller.admin,
            role="admin",
            registration_id=registration.pk,
        )
    session.refresh_from_db()
    assert session.seats_taken == 0
    again = _register(reseller, session)  # the seat and the person are free again
    assert again.pk != registration.pk


@pytest.mark.django_db
def test_only_the_person_or_an_admin_cancels(partner, session_factory):
    reseller = partner("reseller", tier=2)
    session = session_factory()
    admins = _register(reseller, session)
    sales = _sales_member(reseller)
    with tenant_context(reseller.organisation.pk), pytest.raises(Forbidden):
        registration_cancel(
            organisation=reseller.organisation,
            actor=sales.user,
            role="sales",
            registration_id=admins.pk,
        )


@pytest.mark.django_db
def test_a_partner_sees_only_its_registrations(partner, session_factory):
    alice, bob = partner("reseller", tier=2), partner("reseller", tier=2)
    session = session_factory()
    _register(alice, session)
    _register(bob, session)
    with tenant_context(alice.organisation.pk):
        assert [r.organisation_id for r in registrations_of(organisation=alice.organisation)] == [
            alice.organisation.pk
        ]
        assert SessionRegistration.objects.count() == 1  # row-level security
    session.refresh_from_db()
    assert session.seats_taken == 2


@pytest.mark.django_db
def test_the_confirmation_carries_the_calendar_file(
    partner, session_factory, django_capture_on_commit_callbacks
):
    reseller = partner("reseller", tier=2)
    starts = datetime.datetime(2031, 3, 4, 9, 30, tzinfo=datetime.UTC)
    session = session_factory(
        title="Sales training; part 1, basics",
        kind=Session.Kind.SALES_TRAINING,
        starts_at=starts,
        duration_minutes=120,
        time_zone="Europe/Paris",
        place="Vates, Grenoble",
    )
    with django_capture_on_commit_callbacks(execute=True):
        registration = _register(reseller, session)

    [message] = mail.outbox
    assert message.to == [reseller.admin.email]
    assert "Sales training; part 1, basics" in message.subject
    assert "4 Mar 2031 10:30 (Europe/Paris)" in message.subject  # the local time
    [(name, content, mimetype)] = message.attachments
    assert (name, mimetype) == ("session.ics", "text/calendar")
    text = content.decode() if isinstance(content, bytes) else content
    lines = text.split("\r\n")
    assert lines[0] == "BEGIN:VCALENDAR"
    assert lines[-2] == "END:VCALENDAR"
    assert f"UID:session-{session.pk}-{registration.pk}@partner-portal" in lines
    assert "DTSTART:20310304T093000Z" in lines
    assert "DTEND:20310304T113000Z" in lines
    assert "SUMMARY:Sales training\\; part 1\\, basics" in lines
    assert "LOCATION:Vates\\, Grenoble" in lines
    assert "URL:https://meet.example/xcp-ng" in lines
    assert any(line.startswith("DTSTAMP:") and line.endswith("Z") for line in lines)


@pytest.mark.django_db
def test_long_ics_lines_are_folded(session_factory):
    session = session_factory(title="Ü" * 80, description="long " * 40)
    for line in session_ics(session=session).split(b"\r\n"):
        assert len(line) <= 75


@pytest.mark.django_db
def test_the_reminder_goes_once_the_day_before(partner, session_factory):
    reseller = partner("reseller", tier=2)
    now = timezone.now()
    tomorrow = session_factory(starts_at=now + datetime.timedelta(hours=20))
    next_week = session_factory(starts_at=now + datetime.timedelta(days=7))
    cancelled_one = session_factory(starts_at=now + datetime.timedelta(hours=10))
    _register(reseller, tomorrow)
    _register(reseller, next_week)
    gone = _register(reseller, cancelled_one)
    with tenant_context(reseller.organisation.pk):
        registration_cancel(
            organisation=reseller.organisation,
            actor=reseller.admin,
            role="admin",
            registration_id=gone.pk,
        )
    mail.outbox.clear()

    with system_context("task:partners.remind_sessions"):
        assert session_reminders_send(now=now) == 1
        assert session_reminders_send(now=now) == 0
    [message] = mail.outbox
    assert message.to == [reseller.admin.email]
    assert message.subject.startswith("Tomorrow: ")
    assert message.attachments[0][0] == "session.ics"
