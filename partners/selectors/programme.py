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
    entries = EmbargoedTerritory.objects.filter(programme=programme, country=country)
    return embargo_matches(entries, region=region)


def embargo_matches(entries, *, region: str = "") -> bool:
    """Whether any of a country's embargo ``entries`` covers the region (the rule of
    ``is_embargoed``, on entries already read: a list can check many rows at once)."""
    region = region.strip().casefold()
    return any(
        not entry.region_code
        or (region and region in {entry.region_code.casefold(), entry.region_name.casefold()})
        for entry in entries
    )


def embargoed_region_names(entries) -> list[str]:
    """The names of the regional entries among a country's embargo ``entries``."""
    return [entry.region_name for entry in entries if entry.region_code]


def programme_embargoes(*, programme: Programme, country: str) -> list[EmbargoedTerritory]:
    """The programme's entries for one country, from ``programme.embargoes`` (prefetched
    by lists, so reading them costs no query per row)."""
    return [entry for entry in programme.embargoes.all() if entry.country.code == country]
