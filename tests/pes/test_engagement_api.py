"""The engagement API (/api/v1/pes/): the score by category over the last twelve months,
the catalogue, claims with files (multipart), the ledger, benefits and redemptions; field
errors on bad input, 404 for another organisation's claim."""

from __future__ import annotations

import datetime
from pathlib import Path

import pytest
from django.utils import timezone

from pes.models import Claim
from tests.billing.payment_support import PDF, upload
from tests.pes.engagement_support import approved, claim_body, claimed, earned
from tests.tenancy_support import observer

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate()


@pytest.fixture
def private_root(settings, tmp_path):
    settings.PRIVATE_MEDIA_ROOT = tmp_path / "private"
    return Path(settings.PRIVATE_MEDIA_ROOT)


def test_the_score_is_the_last_twelve_months_by_category(partner):
    tenant = partner("distributor", tier=2)
    approved(tenant, "case-study")  # 25 marketing, 10 days ago
    approved(tenant, "migration")  # 30 displacement
    earned(tenant, 40, days_ago=400)  # outside the window
    body = tenant.api().get("/api/v1/pes/score").json()
    assert body["total"] == 55
    assert body["end"] == TODAY.isoformat()
    assert (
        body["start"]
        == (TODAY.replace(year=TODAY.year - 1) + datetime.timedelta(days=1)).isoformat()
    )
    points = {c["code"]: c["points"] for c in body["categories"]}
    assert points == {
        "delivery": 0,
        "displacement": 30,
        "certification": 0,
        "autonomy": 0,
        "marketing": 25,
    }
    assert body["categories"][4]["label"] == "Marketing"
    assert body["redeemable_balance"] == 95  # every point earned, the old ones too


def test_a_claim_with_files_through_the_api(partner, private_root):
    tenant = partner("reseller", tier=1)
    client = tenant.api()
    activities = client.get("/api/v1/pes/activities").json()
    by_code = {a["code"]: a for a in activities}
    assert (by_code["case-study"]["claimable"], by_code["case-study"]["points"]) == (True, 25)
    assert by_code["partner-led-renewal"]["claimable"] is False

    response = client.post(
        "/api/v1/pes/claims",
        {**claim_body(), "files": [upload(PDF, "story.pdf")]},
        format="multipart",
    )
    assert response.status_code == 201, response.content
    created = response.json()
    assert (created["activity"], created["points"], created["status"]) == (
        "case-study",
        25,
        "submitted",
    )
    assert created["files"] == ["story.pdf"]
    assert client.get(f"/api/v1/pes/claims/{created['id']}").json()["id"] == created["id"]
    listed = client.get("/api/v1/pes/claims").json()
    assert [c["id"] for c in listed["results"]] == [created["id"]]

    # Withdrawn by an administrator (not its author: the fixture's admin is)
    response = client.post(f"/api/v1/pes/claims/{created['id']}/withdraw")
    assert response.json()["status"] == "withdrawn"
    assert client.post(f"/api/v1/pes/claims/{created['id']}/withdraw").status_code == 409


def test_bad_input_answers_400_with_the_field(partner):
    client = partner("reseller", tier=1).api()
    response = client.post(
        "/api/v1/pes/claims",
        claim_body(performed_on=(TODAY + datetime.timedelta(days=2)).isoformat()),
    )
    assert response.status_code == 400
    assert "performed_on" in response.content.decode()
    response = client.post("/api/v1/pes/claims", {"activity": "case-study"})
    assert response.status_code == 400
    assert "description" in response.content.decode()
    response = client.post("/api/v1/pes/redemptions", {"benefit": "extra-nfr"})
    assert response.status_code == 400
    assert "benefit" in response.content.decode()


def test_another_organisations_claim_is_not_found(partner):
    alice = partner("reseller", tier=1)
    bob = partner("reseller", tier=1)
    claim = claimed(alice)
    client = bob.api()
    assert client.get(f"/api/v1/pes/claims/{claim.pk}").status_code == 404
    assert client.post(f"/api/v1/pes/claims/{claim.pk}/withdraw").status_code == 404
    with observer():
        assert Claim.objects.get(pk=claim.pk).status == "submitted"


def test_ledger_benefits_and_redemptions(partner):
    tenant = partner("distributor", tier=2)
    approved(tenant, "case-study")
    earned(tenant, 50)
    client = tenant.api()
    ledger = client.get("/api/v1/pes/ledger").json()["results"]
    assert sorted(e["points"] for e in ledger) == [25, 50]
    benefits = client.get("/api/v1/pes/benefits").json()
    assert benefits[0] == {
        "code": "extra-nfr",
        "name": "Additional NFR licence for a year",
        "description": "One more not-for-resale licence for your lab or demos.",
        "points": 40,
    }
    response = client.post("/api/v1/pes/redemptions", {"benefit": "training-seat", "note": "Q3"})
    assert response.status_code == 201, response.content
    assert response.json()["status"] == "requested"
    assert client.get("/api/v1/pes/score").json()["redeemable_balance"] == 25
    listed = client.get("/api/v1/pes/redemptions").json()["results"]
    assert [r["benefit"] for r in listed] == ["training-seat"]
