"""Evaluations and figures for the status pages' tests: stored evaluations as the
evaluation service writes them (plain rows, criteria judged by pes.criteria), a tier with
requirements, and customer sales of a chosen engagement model."""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.utils import timezone

from billing.models import Order
from partners.models import Tier
from pes.measures import Measures
from pes.models import TierEvaluation
from pes.quarters import Quarter
from pes.selectors.status import judge
from tests.billing.factories import place_order
from tests.tenancy_support import observer


def demanding(tier: Tier, **requirements) -> Tier:
    """``tier`` with requirements (a gross minimum and a co-led ceiling by default)."""
    requirements.setdefault("min_gross_invoiced", Decimal("10000"))
    requirements.setdefault("max_co_led_share", Decimal("20"))
    with observer():
        for name, value in requirements.items():
            setattr(tier, name, value)
        tier.save()
    return tier


def evaluation(
    organisation,
    quarter: Quarter,
    *,
    passed: bool,
    tier: Tier | None = None,
    measures: Measures | None = None,
    **fields,
) -> TierEvaluation:
    """The stored evaluation of ``quarter``: criteria judged on ``measures`` (passing or
    failing ones chosen to match ``passed`` when none are given)."""
    tier = tier or organisation.tier
    if measures is None:
        measures = (
            Measures(gross_invoiced=Decimal("50000"), sales=4, partner_owned=4)
            if passed
            else Measures(gross_invoiced=Decimal("10"), sales=4, co_led=4)
        )
    criteria = judge(organisation=organisation, tier=tier, measures=measures, year=quarter.year)
    with observer():
        return TierEvaluation.objects.create(
            organisation=organisation,
            year=quarter.year,
            quarter=quarter.number,
            period_start=quarter.start,
            period_end=quarter.end,
            tier=tier,
            passed=passed,
            criteria=[c.as_json() for c in criteria],
            measures=measures.as_json(),
            failed_quarters=fields.pop("failed_quarters", 0 if passed else 1),
            evaluated_at=timezone.make_aware(
                datetime.datetime.combine(quarter.end, datetime.time(23, 0))
            ),
            evaluated_by="test",
            **fields,
        )


def sale(organisation, *, engagement_model: str = "partner_owned", **fields) -> Order:
    """A customer sale placed now, counted under ``engagement_model``."""
    order = place_order(organisation, **fields)
    with observer():
        Order.objects.filter(pk=order.pk).update(engagement_model=engagement_model)
        order.refresh_from_db()
    return order
