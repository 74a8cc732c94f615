"""The demo's engagement points (pes.demo): Northwind's believable score for its tier,
smaller ones for the others, one claim and one redemption waiting; made once."""

from __future__ import annotations

import io

import pytest
from django.utils import timezone

from pes.demo import seed
from pes.models import Claim, PointsEntry, Redemption
from pes.selectors.score import trailing_score
from portal.tenancy.context import system_context
from tests.billing.conftest import make_partner
from tests.factories import staff_user

pytestmark = pytest.mark.django_db


def test_the_demo_claims_are_made_once(vates):
    northwind = make_partner(vates, type_code="distributor", tier=2, name="Northwind Distribution")
    bluepeak = make_partner(vates, type_code="reseller", tier=1, name="Bluepeak IT")
    staff_user("pes.review_claims", "pes.review_redemptions", email="programme@vendor.example")
    for _ in range(2):
        with system_context("command:seed_demo"):
            seed(stdout=io.StringIO(), password="x")
    with system_context("command:seed_demo"):
        today = timezone.localdate()
        northwind_score = trailing_score(organisation=northwind.organisation, on=today)
        bluepeak_score = trailing_score(organisation=bluepeak.organisation, on=today)
        assert Claim.objects.filter(status="submitted").count() == 1
        assert Redemption.objects.get().status == "requested"
        assert PointsEntry.objects.count() == Claim.objects.filter(status="approved").count()
    # Distributor tier 2 asks for 100: Northwind clears it, in every category.
    assert 120 <= northwind_score.total <= 160
    assert all(category.points for category in northwind_score.categories)
    assert 0 < bluepeak_score.total < 100
