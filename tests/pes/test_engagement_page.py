"""The reseller space's engagement page (/space/engagement/): the score and its
breakdown, the balance, the claim form with files, the claims, the ledger, the benefits and
the application form (administrators), the redemptions; a constant number of queries."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from partners.models import Membership
from pes.models import Claim, ClaimFile, Redemption
from tests.billing.payment_support import PDF, upload
from tests.partners.factories_team import member_of
from tests.pes.engagement_support import approved, claim_body, claimed, earned
from tests.tenancy_support import observer

pytestmark = pytest.mark.django_db


@pytest.fixture
def private_root(settings, tmp_path):
    settings.PRIVATE_MEDIA_ROOT = tmp_path / "private"
    return Path(settings.PRIVATE_MEDIA_ROOT)


def test_the_page_shows_score_breakdown_and_balance(partner):
    tenant = partner("distributor", tier=2)
    approved(tenant, "case-study")
    earned(tenant, 40, activity="migration")
    page = tenant.browser().get("/space/engagement/").content.decode()
    assert '<div class="fs-3 fw-semibold" id="pes-score">65</div>' in page
    assert 'id="pes-category-marketing">25<' in page
    assert 'id="pes-category-displacement">40<' in page
    assert '<progress class="w-100" value="25" max="40"' in page
    assert 'id="pes-balance">65<' in page
    assert "pes-redemption-form" in page
    assert "Engagement points" in page


def test_a_member_claims_with_a_file_and_sees_it(partner, private_root):
    tenant = partner("reseller", tier=1)
    technical = member_of(tenant, role=Membership.Role.TECHNICAL)
    client = tenant.browser()
    client.force_login(technical.user)
    response = client.post(
        "/space/engagement/claims/", {**claim_body(), "files": [upload(PDF, "story.pdf")]}
    )
    assert response.status_code == 302
    with observer():
        claim = Claim.objects.get()
        assert ClaimFile.objects.get(claim=claim).original_name == "story.pdf"
    theirs = claimed(tenant, "workshop")  # the administrator's
    page = client.get("/space/engagement/").content.decode()
    assert f'id="pes-claim-{claim.pk}"' in page
    assert "Waiting for review" in page
    # Withdrawing is offered for one's own claim only (administrators: any).
    assert f"/space/engagement/claims/{claim.pk}/withdraw/" in page
    assert f"/space/engagement/claims/{theirs.pk}/withdraw/" not in page
    # Only administrators apply to redeem.
    assert "pes-redemption-form" not in page
    assert (
        client.post("/space/engagement/redemptions/", {"benefit": "extra-nfr"}).status_code == 403
    )


def test_a_bad_claim_shows_the_form_error(partner):
    tenant = partner("reseller", tier=1)
    response = tenant.browser().post(
        "/space/engagement/claims/", claim_body(performed_on="2001-01-01")
    )
    assert response.status_code == 400
    assert "Only activities of the last twelve months count." in response.content.decode()
    with observer():
        assert not Claim.objects.exists()


def test_an_administrator_applies_and_withdraws(partner):
    tenant = partner("distributor", tier=2)
    earned(tenant, 100)
    client = tenant.browser()
    assert (
        client.post("/space/engagement/redemptions/", {"benefit": "extra-nfr"}).status_code == 302
    )
    with observer():
        redemption = Redemption.objects.get()
    page = client.get("/space/engagement/").content.decode()
    assert 'id="pes-balance">60<' in page
    client.post(f"/space/engagement/redemptions/{redemption.pk}/withdraw/")
    with observer():
        redemption.refresh_from_db()
    assert redemption.status == "withdrawn"


def _count(client) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get("/space/engagement/").status_code == 200
    return len(captured)


def test_the_query_count_does_not_grow(partner):
    tenant = partner("distributor", tier=2)
    client = tenant.browser()
    approved(tenant)
    earned(tenant, 100)
    client.post("/space/engagement/redemptions/", {"benefit": "extra-nfr"})
    first = _count(client)
    for _ in range(4):
        approved(tenant, "workshop")
        client.post("/space/engagement/redemptions/", {"benefit": "extra-nfr"})
    assert _count(client) == first
