"""Where a partner stands (SPEC §3.3): its tier, the latest evaluation with every
criterion, this quarter so far against the same criteria, the year's four quarters and
what the next tier needs. The tier-status API, the dashboard and the staff's view of a
partner all read ``tier_status``; a constant number of queries whatever the data.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from partners.models import Organisation, Tier
from pes.criteria import Criterion, all_passed, criteria_for, gross_exempt, need_in_words
from pes.measures import Measures, Period, measure
from pes.models import TierEvaluation
from pes.quarters import Quarter


@dataclass(frozen=True)
class QuarterResult:
    quarter: Quarter
    evaluation: TierEvaluation | None
    current: bool = False

    @property
    def state(self) -> str:
        """passed, failed, in_progress (the current quarter) or not_evaluated."""
        if self.evaluation is not None:
            return "passed" if self.evaluation.passed else "failed"
        return "in_progress" if self.current else "not_evaluated"


@dataclass(frozen=True)
class TierStatus:
    organisation: Organisation
    tier: Tier | None
    on: datetime.date
    quarter: Quarter
    measures: Measures
    so_far: list[Criterion]
    latest: TierEvaluation | None
    latest_criteria: list[Criterion]
    year: list[QuarterResult]
    next_tier: Tier | None
    next_tier_criteria: list[Criterion] = field(default_factory=list)
    next_tier_needs: list[str] = field(default_factory=list)

    @property
    def so_far_passed(self) -> bool:
        return all_passed(self.so_far)

    @property
    def failed_this_year(self) -> int:
        return sum(1 for r in self.year if r.state == "failed")

    @property
    def passed_this_year(self) -> int:
        return sum(1 for r in self.year if r.state == "passed")

    @property
    def at_risk(self) -> bool:
        """One failed quarter this year: a second moves the partner (SPEC §3.3)."""
        return self.failed_this_year == 1

    @property
    def upgrade_flagged(self) -> bool:
        latest = self.latest
        return (
            latest is not None
            and latest.upgrade_to_id is not None
            and latest.upgrade_to_id != getattr(self.tier, "pk", None)
        )


def judge(*, organisation: Organisation, tier: Tier, measures: Measures, year: int):
    """``criteria_for`` with the organisation's programme's currency and exemption."""
    programme = tier.partner_type.programme
    return criteria_for(
        tier=tier,
        measures=measures,
        currency=programme.reporting_currency,
        gross_exempt=gross_exempt(
            joined_on=organisation.joined_on,
            exemption_year=programme.gross_exemption_join_year,
            year=year,
        ),
    )


def next_tier_of(tier: Tier | None) -> Tier | None:
    if tier is None:
        return None
    return (
        Tier.objects.filter(partner_type_id=tier.partner_type_id, level__gt=tier.level)
        .select_related("partner_type__programme")
        .order_by("level")
        .first()
    )


def tier_status(*, organisation: Organisation, on: datetime.date) -> TierStatus:
    """Queries: the organisation's tier, the quarter's measures, the year's evaluations,
    the next tier."""
    organisation = Organisation.objects.select_related(
        "tier__partner_type__programme", "partner_type__programme"
    ).get(pk=organisation.pk)
    tier = organisation.tier
    quarter = Quarter.containing(on)
    measures = measure(
        period=Period.of_quarter(quarter, until=on), organisation_ids=[organisation.pk]
    ).get(organisation.pk, Measures())
    evaluations = list(
        TierEvaluation.objects.filter(organisation=organisation)
        .select_related(
            "tier__partner_type", "upgrade_to__partner_type", "transitioned_to__partner_type"
        )
        .order_by("-year", "-quarter")[:8]
    )
    latest = evaluations[0] if evaluations else None
    by_quarter = {(e.year, e.quarter): e for e in evaluations}
    year = [
        QuarterResult(q, by_quarter.get((q.year, q.number)), current=q == quarter)
        for q in (Quarter(quarter.year, n) for n in range(1, 5))
    ]
    so_far = (
        judge(organisation=organisation, tier=tier, measures=measures, year=quarter.year)
        if tier is not None
        else []
    )
    next_tier = next_tier_of(tier)
    next_criteria = (
        judge(organisation=organisation, tier=next_tier, measures=measures, year=quarter.year)
        if next_tier is not None
        else []
    )
    needs = [need_in_words(c) for c in next_criteria if not c.passed]
    trained = measures.certified_sales > 0
    if next_tier is not None and next_tier.requires_sales_training_for_upgrade and not trained:
        needs.append("Attend the sales training (required to move up to this tier)")
    return TierStatus(
        organisation=organisation,
        tier=tier,
        on=on,
        quarter=quarter,
        measures=measures,
        so_far=so_far,
        latest=latest,
        latest_criteria=[Criterion.from_json(c) for c in latest.criteria] if latest else [],
        year=year,
        next_tier=next_tier,
        next_tier_criteria=next_criteria,
        next_tier_needs=needs,
    )
