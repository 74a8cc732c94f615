"""The channel team's programme overview (issue 13): how many partners sit in each type
and tier, who is at risk of a transition, who is eligible for an upgrade. Each part is
one set-based query over every partner (the staff context reads all tenants), whatever
their number."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Count, F, Max
from django.utils import timezone

from partners.models import Organisation
from pes.models import TierEvaluation


@dataclass(frozen=True)
class TierCount:
    programme: str
    partner_type: str
    level: int | None
    tier_name: str
    partners: int


@dataclass(frozen=True)
class AtRisk:
    organisation_id: str
    name: str
    partner_type: str
    level: int
    failed_quarter: str  # "2026 Q2": the one failed quarter


@dataclass(frozen=True)
class ProgrammeOverview:
    year: int
    tiers: list[TierCount]
    at_risk: list[AtRisk]
    upgrades: list[TierEvaluation]  # each the partner's latest evaluation, with upgrade_to

    @property
    def partners(self) -> int:
        return sum(row.partners for row in self.tiers)


def partners_per_tier() -> list[TierCount]:
    """Active partners per programme, type and tier (no tier: level None). One query."""
    rows = (
        Organisation.objects.filter(status=Organisation.Status.ACTIVE)
        .values(
            "partner_type__programme__name",
            "partner_type__name",
            "tier__level",
            "tier__name",
        )
        .annotate(partners=Count("id"))
        .order_by("partner_type__programme__name", "partner_type__name", "tier__level")
    )
    return [
        TierCount(
            programme=row["partner_type__programme__name"],
            partner_type=row["partner_type__name"],
            level=row["tier__level"],
            tier_name=row["tier__name"] or "",
            partners=row["partners"],
        )
        for row in rows
    ]


def partners_at_risk(*, year: int) -> list[AtRisk]:
    """Active partners with exactly one failed quarter in ``year`` at their current tier
    (SPEC §3.3: a second one moves them). One query."""
    rows = (
        TierEvaluation.objects.filter(
            year=year,
            passed=False,
            tier_id=F("organisation__tier_id"),
            organisation__status=Organisation.Status.ACTIVE,
        )
        .values(
            "organisation_id",
            "organisation__name",
            "organisation__partner_type__name",
            "organisation__tier__level",
        )
        .annotate(failed=Count("id"), quarter=Max("quarter"))
        .filter(failed=1)
        .order_by("organisation__name", "organisation_id")
    )
    return [
        AtRisk(
            organisation_id=row["organisation_id"],
            name=row["organisation__name"],
            partner_type=row["organisation__partner_type__name"],
            level=row["organisation__tier__level"],
            failed_quarter=f"{year} Q{row['quarter']}",
        )
        for row in rows
    ]


def partners_eligible_for_upgrade() -> list[TierEvaluation]:
    """Each active partner whose latest evaluation flagged an upgrade to a tier it is not
    in yet, with the evaluation (and its organisation and tiers). One query."""
    latest = (
        TierEvaluation.objects.order_by("organisation_id", "-year", "-quarter")
        .distinct("organisation_id")
        .values("id")
    )
    return list(
        TierEvaluation.objects.filter(
            id__in=latest,
            upgrade_to__isnull=False,
            organisation__status=Organisation.Status.ACTIVE,
        )
        .exclude(upgrade_to_id=F("organisation__tier_id"))
        .select_related(
            "organisation__partner_type", "organisation__tier", "upgrade_to__partner_type"
        )
        .order_by("organisation__name", "organisation_id")
    )


def programme_overview(*, year: int | None = None) -> ProgrammeOverview:
    year = year or timezone.localdate().year
    return ProgrammeOverview(
        year=year,
        tiers=partners_per_tier(),
        at_risk=partners_at_risk(year=year),
        upgrades=partners_eligible_for_upgrade(),
    )
