"""The engagement catalogue is programme data (SPEC §3.9): loaded with the programme from
its fixture, updated in place, audited with the rest of the load."""

from __future__ import annotations

import json

import pytest

from partners.services import programme as programme_service
from partners.services.programme import programme_load
from pes.models import Activity, Benefit, Category
from pes.models.activities import AutoEvent
from portal.models import AuditEvent
from portal.tenancy.context import system_context
from tests.tenancy_support import observer

pytestmark = pytest.mark.django_db


def test_vates_has_activities_in_the_five_categories_and_benefits(vates):
    activities = Activity.objects.filter(programme=vates)
    assert {a.category for a in activities} == set(Category.values)
    assert {a.auto_event for a in activities if a.auto_event} == set(AutoEvent.values)
    # What an event awards is never claimed too (once per event).
    assert not activities.filter(claimable=True).exclude(auto_event="").exists()
    assert activities.get(code="certified-expert").auto_event == AutoEvent.CERTIFIED_EXPERT
    assert Benefit.objects.filter(programme=vates, active=True).count() >= 3
    # A tier-1 distributor's yearly 50 points are within reach of a few claims.
    assert activities.filter(claimable=True, points__gte=10, points__lte=30).count() >= 15


def test_loading_again_updates_in_place_retires_and_audits(vates, tmp_path, monkeypatch):
    case_study = Activity.objects.get(programme=vates, code="case-study")
    data = json.loads((programme_service.PROGRAMMES_DIR / "vates.json").read_text())
    for activity in data["pes_activities"]:
        if activity["code"] == "case-study":
            activity["points"] = 40
    data["pes_activities"] = [a for a in data["pes_activities"] if a["code"] != "workshop"]
    (tmp_path / "vates.json").write_text(json.dumps(data))
    monkeypatch.setattr(programme_service, "PROGRAMMES_DIR", tmp_path)

    with system_context("command:seed_demo"):
        programme_load(code="vates")

    changed = Activity.objects.get(programme=vates, code="case-study")
    assert (changed.pk, changed.points) == (case_study.pk, 40)
    assert not Activity.objects.get(programme=vates, code="workshop").active
    with observer():
        record = AuditEvent.objects.filter(action="programme.loaded").latest("at")
    assert record.before["pes.activity.case-study.points"] == 25
    assert record.after["pes.activity.case-study.points"] == 40
    assert record.after["pes.activity.workshop.active"] is False


def test_loading_an_unchanged_fixture_records_nothing(vates):
    with observer():
        before = AuditEvent.objects.count()
    with system_context("command:seed_demo"):
        programme_load(code="vates")
    with observer():
        assert AuditEvent.objects.count() == before
