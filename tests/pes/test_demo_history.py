"""seed_demo's year of tier evaluations (pes.demo_history): the demo partners' last four
quarters back-filled and evaluated in order; Northwind at risk after one failed quarter
(co-led share), nobody moved; a second run adds nothing."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command
from django.utils import timezone

from billing.models import Invoice, Order
from partners.models import Organisation, SessionRegistration
from pes.demo_history import last_quarters
from pes.models import PointsEntry, TierChange, TierEvaluation
from pes.selectors.status import tier_status
from portal.models import AuditEvent


def _counts() -> dict:
    found = {
        model.__name__: model.objects.count()
        for model in (Order, Invoice, PointsEntry, SessionRegistration, TierEvaluation, TierChange)
    }
    # The catalogue's loader records each of its runs (as tests/billing/test_demo.py says).
    found["audit"] = AuditEvent.objects.exclude(action="catalogue.loaded").count()
    return found


@pytest.mark.django_db
def test_seed_demo_evaluates_the_last_four_quarters_once():
    call_command("seed_demo", stdout=io.StringIO())
    first = _counts()
    call_command("seed_demo", stdout=io.StringIO())
    assert _counts() == first

    quarters = last_quarters(timezone.localdate())
    assert quarters[-1].next().start <= timezone.localdate() < quarters[-1].next().next().start
    assert [q.next() for q in quarters[:-1]] == quarters[1:]
    results = {
        (e.organisation.name, e.year, e.quarter): e
        for e in TierEvaluation.objects.select_related("organisation")
    }
    assert len(results) == 4 * 4  # four partners, four quarters
    # Nobody moved: tiers as seeded.
    assert not TierChange.objects.exists()
    tiers = dict(Organisation.objects.values_list("name", "tier__level"))
    assert tiers["Northwind Distribution"] == 2

    last = quarters[-1]
    for name in ("Bluepeak IT", "Cloud Nine Hosting", "Lagoon Integrazioni"):
        assert all(results[name, q.year, q.number].passed for q in quarters), name
    for q in quarters[:-1]:
        evaluation = results["Northwind Distribution", q.year, q.number]
        assert evaluation.passed, (q, [c for c in evaluation.criteria if not c["passed"]])
        assert evaluation.upgrade_to is None
    failed = results["Northwind Distribution", last.year, last.number]
    assert not failed.passed
    assert [c["name"] for c in failed.criteria if not c["passed"]] == ["co_led_share"]
    assert failed.failed_quarters == 1
    assert all(e.upgrade_to is None for e in results.values())

    # Northwind's dashboard: one failed quarter this year, at risk.
    northwind = Organisation.objects.get(name="Northwind Distribution")
    status = tier_status(organisation=northwind, on=last.end)
    assert status.failed_this_year == 1
    assert status.at_risk
