"""Reads of the marketing center. ``assets_visible_to`` is the one rule of which asset a
partner may see: the list, the detail, the download and the API all start from it, so an
asset hidden from a type or tier is neither listed nor downloadable by its URL (404)."""

from __future__ import annotations

import django_filters
from django.db.models import Exists, IntegerField, OuterRef, Q, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce
from django.shortcuts import get_object_or_404

from partners.models import AssetDownload, MarketingAsset, Organisation, PartnerType
from portal.filters import TextSearchFilter


def assets_visible_to(organisation: Organisation) -> QuerySet[MarketingAsset]:
    """The published assets of the organisation's programme for its partner type (an
    asset naming no type is for every type) and tier (an asset with a minimum tier level
    is hidden from lower tiers and from partners without a tier)."""
    partner_type = PartnerType.objects.only("programme_id").get(pk=organisation.partner_type_id)
    tier_level = organisation.tier.level if organisation.tier_id else None
    through = MarketingAsset.partner_types.through
    typed = through.objects.filter(marketingasset_id=OuterRef("pk"))
    tier_rule = Q(min_tier_level__isnull=True)
    if tier_level is not None:
        tier_rule |= Q(min_tier_level__lte=tier_level)
    return (
        MarketingAsset.objects.filter(programme_id=partner_type.programme_id, published=True)
        .filter(~Exists(typed) | Exists(typed.filter(partnertype_id=organisation.partner_type_id)))
        .filter(tier_rule)
    )


def with_download_counts(queryset: QuerySet, organisation: Organisation) -> QuerySet:
    """``downloaded``: how many times this organisation downloaded each asset (its own
    row only, never another partner's)."""
    mine = AssetDownload.objects.for_tenant(organisation).filter(asset_id=OuterRef("pk"))
    return queryset.annotate(
        downloaded=Coalesce(
            Subquery(mine.values("count")[:1], output_field=IntegerField()), Value(0)
        )
    )


class AssetFilterSet(django_filters.FilterSet):
    kind = django_filters.ChoiceFilter(
        choices=MarketingAsset.Kind.choices,
        label="Kind",
        error_messages={"invalid_choice": "%(value)s is not a kind of asset."},
    )
    search = TextSearchFilter(
        fields=("title", "description"), max_length=200, label="Search (title, description)"
    )

    class Meta:
        model = MarketingAsset
        fields: list[str] = []


def asset_list(*, organisation: Organisation) -> QuerySet[MarketingAsset]:
    """The assets the organisation may see, with its own download counts."""
    return with_download_counts(assets_visible_to(organisation), organisation).order_by(
        "kind", "title", "pk"
    )


def asset_for(*, organisation: Organisation, asset_id) -> MarketingAsset:
    """One asset the organisation may see; any other (hidden, unpublished, another
    programme's, missing) is the same 404."""
    return get_object_or_404(
        with_download_counts(assets_visible_to(organisation), organisation), pk=asset_id
    )
