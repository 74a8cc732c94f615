"""The evaluation as the scheduler and the channel team run it: two schedulers at once
apply one result; the hourly job evaluates the quarter that ended once; staff run it and
change tiers from the admin, with the permission only."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.conf import settings
from django.db import connection
from django.test import Client
from django.utils import timezone

from pes.models import TierChange, TierEvaluation
from pes.quarters import Quarter
from pes.services.evaluation import evaluate_quarter
from pes.tasks import JOB_LABEL, evaluate_tiers
from portal.tenancy.context import system_context
from tests.billing.conftest import make_partner
from tests.factories import staff_user
from tests.pes.support import TODAY
from tests.pes.test_evaluation import LAST_YEAR_Q2, LAST_YEAR_Q3, current_tier, run, tier
from tests.tenancy_support import observer

SCHEDULERS = 4


@pytest.mark.django_db(transaction=True)
def test_schedulers_running_at_once_apply_one_result(vates_committed):
    partners = [
        make_partner(vates_committed, type_code="distributor", tier=2, name=f"Busy {n}")
        for n in range(3)
    ]
    run(LAST_YEAR_Q2)
    start = threading.Barrier(SCHEDULERS)

    def scheduler(_n: int) -> int:
        try:
            start.wait(timeout=30)
            with system_context("task:pes.evaluate_tiers"):
                return evaluate_quarter(quarter=LAST_YEAR_Q3, notify=False).evaluated
        finally:
            connection.close()

    with ThreadPoolExecutor(max_workers=SCHEDULERS) as pool:
        evaluated = list(pool.map(scheduler, range(SCHEDULERS)))

    assert evaluated == [3] * SCHEDULERS
    with observer():
        assert TierEvaluation.objects.filter(year=LAST_YEAR_Q3.year, quarter=3).count() == 3
        assert TierChange.objects.count() == 3  # each partner moved once
    for partner in partners:
        assert current_tier(partner.organisation) == tier("reseller", 1)


@pytest.mark.django_db
def test_the_hourly_job_evaluates_the_quarter_that_ended_once(partner):
    partner("reseller", tier=1, country="DE")
    ended = Quarter.containing(timezone.localdate()).previous()
    assert "pes.evaluate_tiers" in {e["task"] for e in settings.CELERY_BEAT_SCHEDULE.values()}

    first = evaluate_tiers.apply().get()
    assert first.startswith(f"{ended.label}: 1 partners evaluated")
    with observer():
        record = TierEvaluation.objects.get(year=ended.year, quarter=ended.number)
        assert record.evaluated_by == JOB_LABEL
    assert evaluate_tiers.apply().get() == f"{ended.label}: already evaluated"


@pytest.mark.django_db
def test_staff_evaluate_a_quarter_from_the_admin_with_the_permission(partner):
    reseller = partner("reseller", tier=1, country="DE")
    url = "/admin/pes/tierevaluation/evaluate/"
    refused = Client()
    refused.force_login(staff_user("pes.view_tierevaluation"))
    assert refused.get(url).status_code == 403

    team = Client()
    team.force_login(staff_user("pes.view_tierevaluation", "pes.run_evaluations"))
    page = team.get(url)
    assert page.status_code == 200
    bad = team.post(url, {"quarter": "2026-Q9"})
    assert "is not a quarter" in bad.content.decode()
    not_ended = team.post(url, {"quarter": str(Quarter.containing(TODAY))})
    assert "has not ended yet" in not_ended.content.decode()
    done = team.post(
        url, {"quarter": str(LAST_YEAR_Q3), "organisation": str(reseller.organisation.pk)}
    )
    assert done.status_code == 302
    with observer():
        record = TierEvaluation.objects.get(organisation=reseller.organisation)
    assert record.evaluated_by.startswith("staff") or "@" in record.evaluated_by
    listing = team.get(done["Location"])
    assert reseller.organisation.name in listing.content.decode()


@pytest.mark.django_db
def test_staff_change_a_tier_from_the_admin_with_a_reason(partner):
    reseller = partner("reseller", tier=1, country="DE")
    url = "/admin/pes/tierchange/change-tier/"
    viewer = Client()
    viewer.force_login(staff_user("pes.view_tierchange"))
    assert viewer.get(url).status_code == 403

    team = Client()
    team.force_login(staff_user("pes.view_tierchange", "pes.change_tiers"))
    body = {"organisation": str(reseller.organisation.pk), "action": "override"}
    no_tier = team.post(url, body)
    assert "Choose the tier to set." in no_tier.content.decode()
    no_reason = team.post(url, {**body, "tier": str(tier("reseller", 3).pk)})
    assert "Give the reason" in no_reason.content.decode()
    assert current_tier(reseller.organisation) == tier("reseller", 1)
    restore = team.post(url, {**body, "action": "restore", "reason": "Audit"})
    assert "nothing to restore" in restore.content.decode()
    done = team.post(
        url, {**body, "tier": str(tier("reseller", 3).pk), "reason": "Signed a 3-year plan."}
    )
    assert done.status_code == 302
    assert current_tier(reseller.organisation) == tier("reseller", 3)


@pytest.mark.django_db
def test_staff_validate_level1_support_on_the_organisation_page(partner):
    from partners.services.organisations import organisation_update
    from pes.measures import Period, measure

    reseller = partner("reseller", tier=1, country="DE")
    organisation = reseller.organisation
    with observer():
        organisation_update(
            organisation=organisation,
            changes={"level1_support_validated_on": TODAY},
            actor=staff_user("partners.change_organisation"),
        )
        figures = measure(
            period=Period.of_quarter(Quarter.containing(TODAY), until=TODAY),
            organisation_ids=[organisation.pk],
        )[organisation.pk]
    assert figures.level1_support is True
    team = Client()
    team.force_login(staff_user("partners.view_organisation", "pes.view_tierevaluation"))
    page = team.get(f"/admin/partners/organisation/{organisation.pk}/change/")
    assert "tier evaluations (the latest 10)" in page.content.decode().lower()
