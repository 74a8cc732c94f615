"""Points awarded by events (SPEC §3.9), once per event, in the event's own transaction: a
partner-led renewal, a certified technical expert added, a session attended."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from billing.services.renewals import licence_renew
from licensing.models import Product
from partners.models import Session
from partners.services.sessions import attendance_record
from partners.services.training import certification_record
from pes.models import Activity, PointsEntry
from pes.services.awards import award_certification, award_renewal, award_session
from portal.tenancy.context import system_context
from tests.billing.licence_sale_support import DE_VAT, sell
from tests.deals.factories import make_deal
from tests.factories import staff_user
from tests.sessions.conftest import make_session
from tests.sessions.factories import SessionRegistrationFactory
from tests.tenancy_support import observer

pytestmark = pytest.mark.django_db
DAY = datetime.timedelta(days=1)


def _entries(tenant):
    with observer():
        return list(
            PointsEntry.objects.filter(organisation=tenant.organisation).values_list(
                "event_key", "points", "category"
            )
        )


def _renew(tenant, licence):
    with observer():
        return licence_renew(
            organisation=tenant.organisation,
            actor=tenant.admin,
            role="admin",
            licence_id=licence.pk,
            today=licence.ends_on - 20 * DAY,
        ).order


@pytest.mark.parametrize(
    ("engagement_model", "awarded"),
    [("partner_owned", True), ("co_led_partner", True), ("co_led_vendor", False)],
)
def test_a_partner_led_renewal_is_awarded_once(partner, engagement_model, awarded):
    reseller = partner("distributor", tier=2, country="DE", vat_number=DE_VAT)
    with observer():
        product = Product.objects.get(code="pro")
    deal = make_deal(
        reseller.organisation,
        status="approved",
        engagement_model=engagement_model,
        product=product,
    )
    _, licence = sell(reseller, "pro", 3, deal=str(deal.pk))
    order = _renew(reseller, licence)
    assert order.engagement_model == engagement_model
    expected = [(f"renewal:{order.pk}", 10, "autonomy")] if awarded else []
    assert _entries(reseller) == expected
    # The same event again (a retried task, a second worker) awards nothing more.
    with observer():
        award_renewal(order=order)
    assert _entries(reseller) == expected


def test_a_renewal_without_a_deal_is_not_partner_led(partner):
    reseller = partner("reseller", tier=1, country="DE", vat_number=DE_VAT)
    _, licence = sell(reseller, "pro", 3)
    _renew(reseller, licence)
    assert _entries(reseller) == []


def test_a_certified_expert_is_awarded_once_and_a_correction_awards_nothing(partner):
    tenant = partner("reseller", tier=3)
    staff = staff_user("partners.record_certification")
    obtained = timezone.localdate() - 30 * DAY
    with system_context("staff:test"):
        record = certification_record(
            actor=staff,
            organisation=tenant.organisation,
            membership=tenant.membership,
            name="XCP-ng Certified Engineer",
            obtained_on=obtained,
        )
        certification_record(
            actor=staff,
            organisation=tenant.organisation,
            membership=tenant.membership,
            name="XCP-ng Certified Engineer",
            obtained_on=obtained,
            certification=record,
        )
    assert _entries(tenant) == [(f"certification:{record.pk}", 20, "certification")]
    with observer():
        award_certification(certification=record)
        assert PointsEntry.objects.get().earned_on == obtained
    assert len(_entries(tenant)) == 1


def test_a_session_attended_awards_its_own_points_once(partner):
    tenant = partner("reseller", tier=1)
    started = timezone.now() - DAY
    worth = make_session(starts_at=started, pes_points=8, kind=Session.Kind.WEBINAR)
    worthless = make_session(starts_at=started, pes_points=0, title="Office hours")
    with observer():
        counted = SessionRegistrationFactory(session=worth, membership=tenant.membership)
        free = SessionRegistrationFactory(session=worthless, membership=tenant.membership)
    staff = staff_user("partners.record_attendance")
    with system_context("staff:test"):
        attendance_record(actor=staff, session=worth, attended_ids=[counted.pk])
        attendance_record(actor=staff, session=worth, attended_ids=[counted.pk])
        attendance_record(actor=staff, session=worthless, attended_ids=[free.pk])
    assert _entries(tenant) == [(f"session:{counted.pk}", 8, "certification")]
    with observer():
        award_session(registration=counted, session=worth, on=timezone.localdate())
    assert len(_entries(tenant)) == 1


def test_a_programme_without_the_activity_awards_nothing(partner):
    tenant = partner("reseller", tier=3)
    with observer():
        Activity.objects.filter(auto_event="certified_expert").update(active=False)
    with system_context("staff:test"):
        certification_record(
            actor=staff_user("partners.record_certification"),
            organisation=tenant.organisation,
            membership=tenant.membership,
            name="XCP-ng Certified Engineer",
            obtained_on=timezone.localdate(),
        )
    assert _entries(tenant) == []
