"""Reading the programme's rules: discounts, embargo, capabilities."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Max, Min, OuterRef, Q, QuerySet, Subquery

from partners.models import (
    DiscountRule,
    EmbargoedTerritory,
    EngagementModel,
    PartnerType,
    Programme,
    Tier,
)


def default_programme() -> Programme:
    return Programme.objects.get(is_default=True)


def application_review_days() -> int | None:
    """The default programme's review time for applications, in days (None without one)."""
    return (
        Programme.objects.filter(is_default=True)
        .values_list("application_review_days", flat=True)
        .first()
    )


def public_partner_types():
    """The partner types the public pages offer: the active (default) programme's only.
    The portal is one vendor's; its other programmes' types are data kept for later."""
    return PartnerType.objects.filter(programme__is_default=True).select_related("programme")


def discount_rule_for(
    *, partner_type: PartnerType, tier_level: int | None, engagement_model: str
) -> DiscountRule | None:
    """The most specific rule matching type, tier and engagement model (an empty part of
    a rule matches anything); None when no rule matches (no discount). The pricing engine
    prices with it and names it."""
    rules = _matching_rules(partner_type=partner_type, tier_level=tier_level).filter(
        Q(engagement_model=engagement_model) | Q(engagement_model="")
    )
    return _most_specific(rules, engagement_model=engagement_model)


def discount_percent(
    *, partner_type: PartnerType, tier_level: int | None, engagement_model: str
) -> Decimal:
    """The partner discount of ``discount_rule_for``'s rule; no matching rule: none."""
    best = discount_rule_for(
        partner_type=partner_type, tier_level=tier_level, engagement_model=engagement_model
    )
    return best.percent if best else Decimal("0")


def _matching_rules(*, partner_type: PartnerType, tier_level: int | None):
    return DiscountRule.objects.filter(
        Q(partner_type=partner_type) | Q(partner_type__isnull=True),
        Q(tier_level=tier_level) | Q(tier_level__isnull=True),
        programme_id=partner_type.programme_id,
    )


def _most_specific(rules, *, engagement_model: str) -> DiscountRule | None:
    """Of the rules for one type and tier, the most specific one matching the engagement
    model (the one choice every discount reads)."""
    matching = [rule for rule in rules if rule.engagement_model in ("", engagement_model)]
    return max(matching, key=lambda rule: rule.specificity, default=None)


def _rules_for_type(partner_type) -> QuerySet[DiscountRule]:
    """The rules that can apply to a type: its own, and the programme's rules for any type.
    ``partner_type`` is an instance or ``OuterRef("pk")`` (``programme`` then too)."""
    if isinstance(partner_type, PartnerType):
        programme, type_ref = partner_type.programme_id, partner_type.pk
    else:
        programme, type_ref = OuterRef("programme"), partner_type
    return DiscountRule.objects.filter(
        Q(partner_type=type_ref) | Q(partner_type__isnull=True), programme=programme
    )


def partner_types_with_discounts(
    queryset: QuerySet[PartnerType] | None = None,
) -> QuerySet[PartnerType]:
    """Partner types annotated with the lowest and highest discount their rules give
    (``discount_min``, ``discount_max``), for ``discount_range`` on a list: two subqueries,
    no query per row."""
    queryset = PartnerType.objects.all() if queryset is None else queryset
    rules = _rules_for_type(OuterRef("pk")).order_by().values("programme")
    return queryset.annotate(
        discount_min=Subquery(rules.annotate(low=Min("percent")).values("low")[:1]),
        discount_max=Subquery(rules.annotate(high=Max("percent")).values("high")[:1]),
    )


def _percent(value: Decimal) -> str:
    return f"{value.normalize():f}%"


def discount_range(*, partner_type: PartnerType) -> str:
    """The discount a type advertises, derived from the programme's discount rules (the
    rules that price quotes), so the two never drift: "10% - 40%", "20%", or "None".
    Where the programme grants a discount only on a registered deal, it says so.

    No query for a type read through ``partner_types_with_discounts``; one otherwise (and
    one for the programme unless it is loaded)."""
    if hasattr(partner_type, "discount_max"):
        low, high = partner_type.discount_min, partner_type.discount_max
    else:
        bounds = _rules_for_type(partner_type).aggregate(low=Min("percent"), high=Max("percent"))
        low, high = bounds["low"], bounds["high"]
    if not high:
        return "None"
    label = _percent(high) if low == high else f"{_percent(low)} - {_percent(high)}"
    if partner_type.programme.discount_requires_deal_registration:
        label += " with an approved deal registration"
    return label


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


@dataclass(frozen=True)
class TierOverview:
    """A tier in plain words for its partners: what it gives, what it asks."""

    tier: Tier
    benefits: list[str]
    discounts: list[tuple[str, Decimal]]  # (engagement model, percent)
    requirements: list[str]


def _amount(value: Decimal, currency: str) -> str:
    return f"{value:,.0f} {currency}"


def tier_requirements_in_words(*, tier: Tier, currency: str) -> list[str]:
    """The tier's requirements (SPEC §3.2) as sentences; a requirement that does not apply
    (empty) is left out."""
    lines = []
    if tier.min_gross_invoiced:
        lines.append(
            f"Invoice at least {_amount(tier.min_gross_invoiced, currency)} over the last 12 months"
        )
    if tier.level1_support_required:
        lines.append("Provide level-1 technical support to your customers")
    for count, what in (
        (tier.min_certified_sales, "sales professional"),
        (tier.min_certified_technical, "technical expert"),
    ):
        if count:
            lines.append(f"Have at least {count} certified {what}{'' if count == 1 else 's'}")
    if tier.min_pes:
        lines.append(f"Earn at least {tier.min_pes} partner engagement points over 12 months")
    if tier.min_partner_owned_share is not None:
        lines.append(
            f"Register at least {tier.min_partner_owned_share:.0f}% of each quarter's "
            "customer sales as partner-owned deals"
        )
    for share, what in (
        (tier.max_co_led_share, "co-led"),
        (tier.max_late_involvement_share, "late-involvement"),
    ):
        if share is not None:
            lines.append(f"Keep {what} sales to at most {share:.0f}% of each quarter's sales")
    if tier.min_webinars:
        lines.append(
            f"Run at least {tier.min_webinars} webinar{'' if tier.min_webinars == 1 else 's'} "
            "or enablement session"
            f"{'' if tier.min_webinars == 1 else 's'} over 12 months"
        )
    if tier.requires_sales_training_for_upgrade:
        lines.append("Attend the sales training before moving up to the next tier")
    return lines


def tier_discounts(
    *, partner_type: PartnerType, tier_level: int | None
) -> list[tuple[str, Decimal]]:
    """The discount of each engagement model for this type and tier (one query; the same
    most-specific-rule choice as ``discount_percent``)."""
    rules = list(_matching_rules(partner_type=partner_type, tier_level=tier_level))
    found = []
    for model in EngagementModel:
        best = _most_specific(rules, engagement_model=model.value)
        if best is not None:
            found.append((model.label, best.percent))
    return found


def tier_overview(*, organisation) -> TierOverview | None:
    """The organisation's tier in plain words (None without a tier). One query."""
    tier = organisation.tier
    if tier is None:
        return None
    partner_type = organisation.partner_type
    return TierOverview(
        tier=tier,
        benefits=tier.benefit_lines,
        discounts=tier_discounts(partner_type=partner_type, tier_level=tier.level),
        requirements=tier_requirements_in_words(
            tier=tier, currency=partner_type.programme.reporting_currency
        ),
    )
