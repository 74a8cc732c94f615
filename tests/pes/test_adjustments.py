"""The channel team adjusts a partner's points with a reason (``pes.adjust_points``):
audited, counted in the score and the balance, refused without the permission."""

from __future__ import annotations

import pytest
from django.utils import timezone

from pes.models import PointsEntry
from pes.selectors.score import redeemable_balance, trailing_score
from pes.services.ledger import points_adjust
from portal.errors import DomainError, Forbidden
from portal.models import AuditEvent
from tests.factories import staff_user
from tests.pes.engagement_support import earned
from tests.tenancy_support import observer

pytestmark = pytest.mark.django_db


def test_an_adjustment_counts_and_is_audited(partner):
    tenant = partner("distributor", tier=2)
    earned(tenant, 50)
    manager = staff_user("pes.adjust_points")
    with observer():
        points_adjust(
            actor=manager,
            organisation=tenant.organisation,
            points=-20,
            reason="Duplicate of an earlier claim",
        )
        entry = PointsEntry.objects.get(kind="adjustment")
        score = trailing_score(organisation=tenant.organisation, on=timezone.localdate())
        assert (score.total, redeemable_balance(organisation=tenant.organisation)) == (30, 30)
        record = AuditEvent.objects.get(action="points.adjustment")
    assert (entry.points, entry.category, entry.created_by_id) == (-20, "", manager.pk)
    assert record.actor_id == manager.pk
    assert "Duplicate" in record.summary


@pytest.mark.parametrize(
    ("points", "reason", "field"), [(0, "x", "points"), ("many", "x", "points"), (5, " ", "reason")]
)
def test_bad_adjustments_are_refused(partner, points, reason, field):
    tenant = partner("distributor", tier=2)
    with observer(), pytest.raises(DomainError) as refused:
        points_adjust(
            actor=staff_user("pes.adjust_points"),
            organisation=tenant.organisation,
            points=points,
            reason=reason,
        )
    assert refused.value.field == field


def test_adjusting_needs_the_permission(partner):
    tenant = partner("distributor", tier=2)
    with observer(), pytest.raises(Forbidden):
        points_adjust(
            actor=staff_user("pes.review_claims"),
            organisation=tenant.organisation,
            points=10,
            reason="Goodwill",
        )
    with observer():
        assert not PointsEntry.objects.exists()
