"""GET /api/v1/tier-status: where the caller's organisation stands, every criterion named
with its value, threshold and result; a constant number of queries as history grows."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from pes.quarters import Quarter
from tests.billing.licence_sale_support import DE_VAT
from tests.factories import MembershipFactory
from tests.pes.support import TODAY, points, sale
from tests.pes.test_evaluation import LAST_YEAR_Q2, LAST_YEAR_Q3, run

pytestmark = pytest.mark.django_db


def client_for(user) -> APIClient:
    client = APIClient()
    client.force_login(user)  # a browser session, as the portal's pages have
    return client


def test_the_status_names_every_criterion_of_the_tier(partner):
    distributor = partner("distributor", tier=2, country="DE", vat_number=DE_VAT)
    sale(distributor, model="partner_owned")
    sale(distributor)
    points(distributor.organisation, 30)
    run(LAST_YEAR_Q3)
    technical = MembershipFactory(organisation=distributor.organisation, role="technical")

    body = client_for(technical.user).get("/api/v1/tier-status").json()

    assert body["organisation"] == str(distributor.organisation.pk)
    assert (body["tier"]["partner_type"], body["tier"]["level"]) == ("distributor", 2)
    so_far = {c["name"]: c for c in body["this_quarter"]["criteria"]}
    assert list(so_far) == [
        "gross_invoiced",
        "level1_support",
        "certified_sales",
        "certified_technical",
        "pes",
        "partner_owned_share",
        "co_led_share",
        "late_involvement_share",
        "sessions",
    ]
    assert so_far["gross_invoiced"]["value"] == "6000.00"
    assert so_far["gross_invoiced"]["threshold"] == "100000.00"
    assert so_far["partner_owned_share"]["value"] == "50.0"
    assert so_far["pes"] == {
        "name": "pes",
        "label": "Engagement score, trailing 12 months",
        "value": 30,
        "threshold": 100,
        "comparison": "at_least",
        "unit": "points",
        "passed": False,
        "exempt": False,
        "note": "",
    }
    assert body["this_quarter"]["passing"] is False
    latest = body["latest_evaluation"]
    assert latest["quarter"] == str(LAST_YEAR_Q3)
    assert latest["passed"] is False
    assert {c["name"] for c in latest["criteria"]} == set(so_far)
    assert [q["quarter"] for q in body["year"]] == [
        str(Quarter(TODAY.year, n)) for n in range(1, 5)
    ]
    current = str(Quarter.containing(TODAY))
    assert next(q for q in body["year"] if q["quarter"] == current)["state"] == "in_progress"
    assert body["next_tier"]["tier"]["level"] == 3
    assert any("engagement points" in need for need in body["next_tier"]["needs"])


def test_the_status_costs_the_same_queries_with_more_history(partner):
    distributor = partner("distributor", tier=2, country="DE", vat_number=DE_VAT)
    client = client_for(distributor.admin)
    client.get("/api/v1/tier-status")  # warm caches (content types, vendor)
    with CaptureQueriesContext(connection) as few:
        assert client.get("/api/v1/tier-status").status_code == 200
    for _ in range(3):
        sale(distributor, model="partner_owned")
        points(distributor.organisation, 10)
    run(LAST_YEAR_Q2)
    run(LAST_YEAR_Q3)
    with CaptureQueriesContext(connection) as many:
        assert client.get("/api/v1/tier-status").status_code == 200
    assert len(many) == len(few)
