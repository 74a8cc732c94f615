"""Redeeming points (SPEC §3.9): administrators apply for a benefit within the redeemable
balance; the channel team approves (the points are spent, the score is untouched) or
rejects (the points are free again)."""

from __future__ import annotations

import pytest
from django.core import mail
from django.utils import timezone

from partners.models import Membership
from pes.models import PointsEntry, Redemption
from pes.selectors.score import redeemable_balance, trailing_score
from pes.services.redemptions import redemption_apply, redemption_decide, redemption_withdraw
from portal.errors import Conflict, DomainError, Forbidden
from tests.factories import staff_user
from tests.partners.factories_team import member_of
from tests.pes.engagement_support import earned, reviewer
from tests.tenancy_support import observer

pytestmark = pytest.mark.django_db


def _apply(tenant, benefit="extra-nfr", *, role="admin", actor=None):
    with observer():
        return redemption_apply(
            organisation=tenant.organisation,
            actor=actor or tenant.admin,
            role=role,
            data={"benefit": benefit, "note": "For the lab"},
        )


def _figures(tenant):
    with observer():
        score = trailing_score(organisation=tenant.organisation, on=timezone.localdate()).total
        return score, redeemable_balance(organisation=tenant.organisation)


def test_an_approved_redemption_spends_the_balance_never_the_score(
    partner, django_capture_on_commit_callbacks
):
    tenant = partner("distributor", tier=2)
    earned(tenant, 100)
    redemption = _apply(tenant)  # 40 points
    assert redemption.points == 40
    assert _figures(tenant) == (100, 60)  # held from the application on
    with observer(), django_capture_on_commit_callbacks(execute=True):
        redemption_decide(actor=reviewer(), redemption=redemption, approve=True)
        entry = PointsEntry.objects.get(redemption=redemption)
    assert (entry.kind, entry.points) == ("redemption", -40)
    assert _figures(tenant) == (100, 60)
    assert mail.outbox[0].to == [tenant.admin.email]


def test_rejected_or_withdrawn_frees_the_points(partner):
    tenant = partner("distributor", tier=2)
    earned(tenant, 100)
    first = _apply(tenant)
    with observer():
        with pytest.raises(DomainError):
            redemption_decide(actor=reviewer(), redemption=first, approve=False)
        redemption_decide(actor=reviewer(), redemption=first, approve=False, reason="Out of stock")
    assert _figures(tenant) == (100, 100)
    second = _apply(tenant)
    with observer():
        redemption_withdraw(
            organisation=tenant.organisation,
            actor=tenant.admin,
            role="admin",
            redemption_id=second.pk,
        )
        with pytest.raises(Conflict):
            redemption_decide(actor=reviewer(), redemption=second, approve=True)
    assert _figures(tenant) == (100, 100)


def test_over_the_balance_is_refused(partner):
    tenant = partner("distributor", tier=2)
    earned(tenant, 60)
    _apply(tenant)  # 40 held, 20 left
    with pytest.raises(DomainError) as refused:
        _apply(tenant)
    assert (refused.value.field, refused.value.code) == ("benefit", "over_balance")
    with pytest.raises(DomainError) as refused:
        _apply(tenant, "no-such-benefit")
    assert refused.value.code == "invalid"


def test_only_administrators_apply_and_only_reviewers_decide(partner):
    tenant = partner("distributor", tier=2)
    earned(tenant, 100)
    sales = member_of(tenant, role=Membership.Role.SALES)
    with pytest.raises(Forbidden):
        _apply(tenant, role="sales", actor=sales.user)
    redemption = _apply(tenant)
    with observer(), pytest.raises(Forbidden):
        redemption_decide(
            actor=staff_user("pes.review_claims"), redemption=redemption, approve=True
        )
    with observer():
        assert Redemption.objects.get().status == "requested"
