"""Reading partner profiles: the caller's own, and the public locator (SPEC §3.8).

The locator is public and crosses tenants: it reads in the caller's own context (anonymous,
a partner, staff) through the database's narrow ``public_directory`` read policy on
profiles (partners/migrations/0003), never a system context. What it may show is decided
here, once (``directory_entries``): the listing rule. The policy is the database's coarser
wall (active organisation, listed type); the rule here is stricter (the active programme,
the description's length), and it is the authority for the locator's page, its API and
the partner's own profile page alike.
"""

from __future__ import annotations

import base64
from uuid import UUID

import django_filters
from django.db.models import F, Func, QuerySet, Value
from django.db.models import IntegerField as DbIntegerField
from django.db.models.functions import NullIf, Trim
from django.urls import reverse
from django_countries import countries

from partners.models import Organisation, PartnerProfile, PartnerType, Tier
from partners.profile_rules import DESCRIPTION_MAX_WORDS, DESCRIPTION_MIN_WORDS, word_count
from portal.errors import NotFound
from portal.forms import IntegerField

DIRECTORY_PAGE_SIZE = 20


def profile_for_organisation(*, organisation: Organisation) -> PartnerProfile:
    """The organisation's profile, or (before its first edit) an unsaved one with the
    defaults the first edit will start from."""
    profile = PartnerProfile.objects.for_tenant(organisation).first()
    if profile is None:
        return PartnerProfile(
            organisation=organisation,
            display_name=organisation.name[:120],
            country=organisation.country,
        )
    profile.organisation = organisation  # already loaded, with its type and tier
    return profile


def _description_words():
    """The description's word count in SQL: runs of whitespace separate words, as
    Python's ``str.split()`` does (``word_count``); an empty description counts none
    (NULL, so no range holds)."""
    return Func(
        Func(
            NullIf(Trim(F("description")), Value("")),
            Value(r"\s+"),
            function="regexp_split_to_array",
        ),
        Value(1),
        function="array_length",
        output_field=DbIntegerField(),
    )


def directory_entries() -> QuerySet[PartnerProfile]:
    """Every profile the public locator may show, with what its cards need (one query).

    The listing rule: the organisation is active; its partner type belongs to the active
    (default) programme and is listed in the locator; its profile's description is 30 to
    100 words (the profile created at approval is empty until the partner writes it)."""
    return (
        PartnerProfile.objects.annotate(description_words=_description_words())
        .filter(
            organisation__status=Organisation.Status.ACTIVE,
            organisation__partner_type__listed_in_locator=True,
            organisation__partner_type__programme__is_default=True,
            description_words__gte=DESCRIPTION_MIN_WORDS,
            description_words__lte=DESCRIPTION_MAX_WORDS,
        )
        .select_related("organisation__partner_type", "organisation__tier")
        .order_by("display_name", "organisation_id")
    )


def profile_is_listed(*, organisation: Organisation) -> bool:
    """Whether the locator shows this organisation now (asks ``directory_entries``, the
    rule's one implementation)."""
    return directory_entries().filter(organisation_id=organisation.pk).exists()


def profile_listing_problems(*, profile: PartnerProfile) -> list[str]:
    """Why the locator does not list the profile's organisation, in words for its members
    (empty when nothing stands in the way). This explains ``directory_entries``' rule to
    a person; whether a profile is listed is asked of the rule (``profile_is_listed``)."""
    organisation = profile.organisation
    problems = []
    if profile._state.adding:
        problems.append("Your organisation has no locator profile yet.")
    if organisation.status == Organisation.Status.PENDING:
        problems.append("Your organisation is listed once its partner agreement is signed.")
    elif organisation.status == Organisation.Status.SUSPENDED:
        problems.append("Your organisation is suspended.")
    partner_type = organisation.partner_type
    if not partner_type.listed_in_locator:
        problems.append(f"{partner_type.name} partners are not listed in the public locator.")
    elif not partner_type.programme.is_default:
        problems.append(
            f"The locator shows the partners of the active programme only, not "
            f"{partner_type.programme.name}'s."
        )
    words = word_count(profile.description)
    if not profile._state.adding and not DESCRIPTION_MIN_WORDS <= words <= DESCRIPTION_MAX_WORDS:
        problems.append(
            f"The description must be {DESCRIPTION_MIN_WORDS} to {DESCRIPTION_MAX_WORDS} words "
            f"long; it has {words} word{'' if words == 1 else 's'}."
        )
    return problems


def directory_entry(*, organisation_id: UUID | str) -> PartnerProfile:
    """One listed partner; anyone else (pending, suspended, unlisted type, no profile)
    is not found."""
    try:
        return directory_entries().get(organisation_id=organisation_id)
    except (PartnerProfile.DoesNotExist, ValueError) as exc:
        raise NotFound("No such partner in the locator.") from exc


def directory_logo_url(*, profile: PartnerProfile) -> str | None:
    """The site-relative URL of a listed partner's logo, versioned by its file name so a
    new logo is fetched at once despite caching; None without a logo."""
    if not profile.logo:
        return None
    url = reverse("partners:partner_logo", kwargs={"organisation_id": profile.organisation_id})
    version = profile.logo.name.rsplit("/", 1)[-1].split(".", 1)[0]
    return f"{url}?v={version}"


#: Logo files the site serves, by extension. Uploads are always stored as PNG; the admin
#: may have stored others. Anything else (an SVG, say) is never served.
LOGO_CONTENT_TYPES = {
    "png": "image/png",
    "jpg": "image/jpeg",
    "jpeg": "image/jpeg",
    "gif": "image/gif",
    "webp": "image/webp",
}


def _logo_bytes(profile: PartnerProfile) -> tuple[bytes, str] | None:
    extension = profile.logo.name.rsplit(".", 1)[-1].lower() if profile.logo else ""
    content_type = LOGO_CONTENT_TYPES.get(extension)
    if content_type is None:
        return None
    try:
        with profile.logo.open("rb") as file:
            return file.read(), content_type
    except FileNotFoundError:
        return None


def directory_logo(*, organisation_id: UUID | str) -> tuple[bytes, str]:
    """A listed partner's logo: its bytes and content type."""
    logo = _logo_bytes(directory_entry(organisation_id=organisation_id))
    if logo is None:
        raise NotFound("This partner has no logo.")
    return logo


def profile_logo_data_uri(*, profile: PartnerProfile) -> str | None:
    """The stored logo inline (``data:`` URL), for the owner's preview whether or not the
    locator lists the organisation; None without a logo."""
    logo = _logo_bytes(profile)
    if logo is None:
        return None
    content, content_type = logo
    return f"data:{content_type};base64,{base64.b64encode(content).decode()}"


def _type_choices() -> list[tuple[str, str]]:
    """The active programme's partner types listed in the locator, by name."""
    return list(
        PartnerType.objects.filter(listed_in_locator=True, programme__is_default=True)
        .order_by("name", "code")
        .values_list("code", "name")
    )


class _TierLevelField(IntegerField):
    default_error_messages = {"invalid": "The tier must be a whole number, such as 2."}


class _TierFilter(django_filters.NumberFilter):
    field_class = _TierLevelField


class DirectoryFilterSet(django_filters.FilterSet):
    """Search and filters of the locator, for its page and its API alike."""

    search = django_filters.CharFilter(
        method="filter_search", max_length=100, label="Search by name"
    )
    country = django_filters.ChoiceFilter(
        field_name="country",
        choices=lambda: list(countries),
        label="Country",
        error_messages={
            "invalid_choice": "%(value)s is not a country code; use an ISO 3166 code such as DE."
        },
    )
    type = django_filters.ChoiceFilter(
        field_name="organisation__partner_type__code",
        choices=_type_choices,
        label="Partner type",
        error_messages={"invalid_choice": "%(value)s is not a partner type listed here."},
    )
    tier = _TierFilter(
        field_name="organisation__tier__level",
        min_value=1,
        max_value=1000,  # beyond PostgreSQL's integer a query would fail (a 500)
        label="Tier",
    )

    class Meta:
        model = PartnerProfile
        fields: list[str] = []

    def __init__(self, data=None, *args, **kwargs):
        if data is not None and data.get("country"):
            data = data.copy()
            data["country"] = data["country"].strip().upper()
        super().__init__(data, *args, **kwargs)

    def filter_search(self, queryset, name, value):
        value = value.strip()
        return queryset.filter(display_name__icontains=value) if value else queryset


def directory_filter_options(*, country: str = "") -> dict[str, list[tuple[str, str]]]:
    """What the locator page offers in its selects: the countries and tiers that have
    listed partners (plus ``country``, when it is a real one, so a choice stays selected)
    and the listed partner types. Three queries, whatever the data."""
    codes = set(directory_entries().order_by().values_list("country", flat=True).distinct())
    if country in countries:
        codes.add(country)
    # Tier 1 (the entry tier) first; a level's name is the one its types share (the
    # programme names its tiers alike across types; the first name found stands for it).
    tier_names: dict[int, str] = {}
    for level, name in (
        Tier.objects.filter(
            partner_type__listed_in_locator=True, partner_type__programme__is_default=True
        )
        .order_by("level", "partner_type__name")
        .values_list("level", "name")
    ):
        if not tier_names.get(level):
            tier_names[level] = name
    return {
        "countries": sorted(
            ((code, countries.name(code)) for code in codes if code), key=lambda c: c[1]
        ),
        "types": _type_choices(),
        "tiers": [
            (str(level), Tier(level=level, name=name).label) for level, name in tier_names.items()
        ],
    }
