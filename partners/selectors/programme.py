"""Reading the programme's rules: discounts, embargo, capabilities."""

from __future__ import annotations

from decimal import Decimal

from django.db.models import Q

from partners.models import DiscountRule, EmbargoedTerritory, PartnerType, Programme


def default_programme() -> Programme:
    return Programme.objects.get(is_default=True)


def discount_percent(
    *, partner_type: PartnerType, tier_level: int | None, engagement_model: str
) -> Decimal:
    """The partner discount of the most specific matching rule (type, tier, engagement
    model; an empty part of a rule matches anything). No matching rule: no discount."""
    rules = DiscountRule.objects.filter(
        Q(partner_type=partner_type) | Q(partner_type__isnull=True),
        Q(tier_level=tier_level) | Q(tier_level__isnull=True),
        Q(engagement_model=engagement_model) | Q(engagement_model=""),
        programme_id=partner_type.programme_id,
    )
    best = max(rules, key=lambda rule: rule.specificity, default=None)
    return best.percent if best else Decimal("0")


def is_embargoed(*, programme: Programme, country: str, region: str = "") -> bool:
    """Country-wide entries always match; a regional entry matches when the region given
    is its ISO 3166-2 code or its name (case-insensitive)."""
    region = region.strip()
    matches = Q(region_code="")
    if region:
        matches |= Q(region_code__iexact=region) | Q(region_name__iexact=region)
    return EmbargoedTerritory.objects.filter(matches, programme=programme, country=country).exists()


def regions_embargoed(*, programme: Programme, country: str) -> list[str]:
    return list(
        EmbargoedTerritory.objects.filter(programme=programme, country=country)
        .exclude(region_code="")
        .values_list("region_name", flat=True)
    )
