"""Expiry (issue 8): a beat job marks ended licences expired (idempotent) and reminds the
partner before a licence (programme setting, 30 days) or a trial (7 days) ends, once per
licence and threshold."""

from __future__ import annotations

import datetime

import pytest
from django.conf import settings
from django.core import mail
from django.utils import timezone

from licensing.models import Licence, LicenceEvent, LicenceReminder
from licensing.services.expiry import licence_reminders_send, licences_expire
from licensing.tasks import expire_licences
from portal.models import AuditEvent
from portal.tenancy.context import SYSTEM_CONTEXTS
from tests.factories import MembershipFactory
from tests.licensing.factories import issue_licence
from tests.licensing.factories_trials import issue_trial
from tests.licensing.support_trials import partner_of
from tests.tenancy_support import observer

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate


def _day(days: int) -> datetime.date:
    return TODAY() + datetime.timedelta(days=days)


@pytest.fixture
def bluepeak():
    partner = partner_of("vates", "reseller", name="Bluepeak IT")
    for role in ("sales", "technical", "finance"):
        MembershipFactory(
            organisation=partner.organisation, role=role, user__email=f"{role}@bluepeak.example"
        )
    return partner


def _licence(tenant, *, ends_in: int, **kwargs) -> Licence:
    return issue_licence(
        tenant.organisation, starts_on=_day(ends_in - 365), ends_on=_day(ends_in), **kwargs
    )


def _status(licence) -> str:
    with observer():
        return Licence.objects.get(pk=licence.pk).status


# --- expiry -------------------------------------------------------------------------------


def test_licences_past_their_end_expire_once(bluepeak):
    ended = _licence(bluepeak, ends_in=-1)
    last_day = _licence(bluepeak, ends_in=0)
    trial = issue_trial(bluepeak, days_ago=40)
    cancelled = _licence(bluepeak, ends_in=-3)
    with observer():
        Licence.objects.filter(pk=cancelled.pk).update(status="cancelled")

    with observer():
        first = licences_expire()
        second = licences_expire()

    assert (first, second) == (2, 0)
    assert _status(ended) == "expired"
    assert _status(trial) == "expired"
    assert _status(last_day) == "unbound"  # it runs through its last day
    assert _status(cancelled) == "cancelled"
    with observer():
        event = LicenceEvent.objects.get(licence=ended, kind="expired")
        assert event.detail == {"previous_status": "unbound"}
        assert event.actor is None
        assert AuditEvent.objects.filter(action="licence.expired").count() == 2
        assert LicenceEvent.objects.filter(kind="expired").count() == 2


def test_the_beat_job_runs_in_its_named_system_context(bluepeak):
    _licence(bluepeak, ends_in=-1)
    _licence(bluepeak, ends_in=10)
    assert settings.CELERY_BEAT_SCHEDULE["expire-licences"]["task"] == "licensing.expire_licences"
    assert "task:licensing.expire_licences" in SYSTEM_CONTEXTS
    assert expire_licences.tenancy == "system"

    first = expire_licences.apply().get()
    second = expire_licences.apply().get()

    assert first == {"expired": 1, "reminded": 1}
    assert second == {"expired": 0, "reminded": 0}


# --- reminders ----------------------------------------------------------------------------


def test_partners_are_reminded_thirty_days_before_a_licence_and_seven_before_a_trial(
    bluepeak, django_capture_on_commit_callbacks
):
    # Given licences at and just past each threshold
    at_threshold = _licence(bluepeak, ends_in=30)
    too_early = _licence(bluepeak, ends_in=31)
    trial_due = issue_trial(bluepeak, prospect_name="Due Prospect", days_ago=22)  # 7 days left
    trial_early = issue_trial(bluepeak, prospect_name="Early Prospect", days_ago=21)  # 8 left
    nfr_due = _licence(bluepeak, ends_in=5, kind="nfr")

    # When the job runs twice
    with observer(), django_capture_on_commit_callbacks(execute=True):
        first = licence_reminders_send()
        second = licence_reminders_send()

    # Then the partner's administrators and sales people get one email, listing each
    # licence that reached its threshold, once
    assert (first, second) == (3, 0)
    assert sorted(m.to[0] for m in mail.outbox) == [bluepeak.admin.email, "sales@bluepeak.example"]
    body = mail.outbox[0].body
    assert "Due Prospect" in body
    assert "Early Prospect" not in body
    assert "in 30 days" in body
    assert "3 licences end soon" in mail.outbox[0].subject
    with observer():
        reminded = set(LicenceReminder.objects.values_list("licence_id", "days_before"))
    assert reminded == {(at_threshold.pk, 30), (trial_due.pk, 7), (nfr_due.pk, 30)}
    assert too_early.pk not in {pk for pk, _ in reminded}
    assert trial_early.pk not in {pk for pk, _ in reminded}


def test_the_programme_sets_the_licence_reminder(bluepeak):
    programme = bluepeak.organisation.partner_type.programme
    with observer():
        programme.licence_expiry_reminder_days = 10
        programme.save(update_fields=["licence_expiry_reminder_days"])
    _licence(bluepeak, ends_in=11)
    due = _licence(bluepeak, ends_in=10)
    with observer():
        assert licence_reminders_send() == 1
        assert LicenceReminder.objects.get().licence_id == due.pk


def test_an_extended_trial_is_reminded_again_before_its_new_end(bluepeak):
    trial = issue_trial(bluepeak, days_ago=25)  # 5 days left
    with observer():
        assert licence_reminders_send() == 1
        Licence.objects.filter(pk=trial.pk).update(ends_on=_day(40))
        assert licence_reminders_send() == 0  # the new end is far
        assert licence_reminders_send(today=_day(34)) == 1  # 6 days before the new end
        assert licence_reminders_send(today=_day(35)) == 0
        assert LicenceReminder.objects.filter(licence=trial).count() == 2


def test_ended_and_cancelled_licences_are_not_reminded(bluepeak):
    cancelled = _licence(bluepeak, ends_in=3)
    with observer():
        Licence.objects.filter(pk=cancelled.pk).update(status="cancelled")
    _licence(bluepeak, ends_in=-1)
    with observer():
        assert licence_reminders_send() == 0
    assert mail.outbox == []
