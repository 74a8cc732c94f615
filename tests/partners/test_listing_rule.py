"""Issue 7: the locator shows the active programme's partners only, with their tiers
named and ordered, and lists a profile only when it meets the listing rules (30-100
words); the partner's profile page and API say whether it is listed and why not."""

from __future__ import annotations

import re

import pytest
from django.core.management import call_command
from django.test import Client

from partners.models import Organisation, PartnerProfile, Tier
from partners.selectors.directory import (
    directory_entries,
    profile_is_listed,
    profile_listing_problems,
)
from tests.factories import PartnerTypeFactory, ProgrammeFactory, TierFactory
from tests.partners.factories_directory import listed_partner, words
from tests.tenancy_support import observer

LIST = "/api/v1/directory"
PAGE = "/partners/"


def _names(response) -> list[str]:
    return [entry["display_name"] for entry in response.json()["results"]]


def _other_programme_partner(**profile) -> PartnerProfile:
    """An active, listed-type partner of a programme that is not the active one."""
    other = ProgrammeFactory(code="other", name="Other Programme", is_default=False)
    partner_type = PartnerTypeFactory(programme=other, code="integrator", name="Integrator")
    return _partner_of(partner_type, **profile)


def _partner_of(partner_type, **profile) -> PartnerProfile:
    from tests.factories import OrganisationFactory
    from tests.partners.factories_directory import PartnerProfileFactory

    organisation = OrganisationFactory(
        partner_type=partner_type, tier=TierFactory(partner_type=partner_type, level=1)
    )
    return PartnerProfileFactory(organisation=organisation, **profile)


# --- The active programme only ----------------------------------------------------------


@pytest.mark.django_db
def test_the_locator_shows_the_active_programmes_partners_only():
    listed_partner(display_name="Active Programme Partner")
    _other_programme_partner(display_name="Other Programme Partner")

    api = Client().get(LIST)
    assert _names(api) == ["Active Programme Partner"]
    page = Client().get(PAGE).content.decode()
    assert "Active Programme Partner" in page
    assert "Other Programme Partner" not in page


@pytest.mark.django_db
def test_the_type_filter_offers_the_active_programmes_types_only():
    listed_partner(type_code="reseller", display_name="Reseller Partner")
    other = _other_programme_partner(display_name="Other Programme Partner")

    page = Client().get(PAGE).content.decode()
    select = page[page.index('id="locator-type"') :].split("</select>", 1)[0]
    assert "Reseller" in select
    assert "Integrator" not in select
    response = Client().get(LIST, {"type": "integrator"})
    assert response.status_code == 400
    assert "type" in response.json()["fields"]
    detail = Client().get(f"{LIST}/{other.organisation_id}")
    assert detail.status_code == 404


@pytest.mark.django_db
def test_with_the_vates_fixtures_the_page_and_api_offer_vates_only():
    for name in ("mattermost", "opennebula", "xen-orchestra", "vates"):
        call_command("load_programme", name, stdout=None)

    page = Client().get(PAGE).content.decode()
    select = page[page.index('id="locator-type"') :].split("</select>", 1)[0]
    offered = re.findall(r"<option value=\"([^\"]+)\"", select)
    assert sorted(offered) == ["csp", "distributor", "msp", "order_taker", "reseller"]
    assert "System Integrator" not in select
    assert "Referral" not in select


# --- Tier names, in order ---------------------------------------------------------------


@pytest.mark.django_db
def test_vates_tiers_are_named_from_entry_to_top():
    call_command("load_programme", "vates", "--default", stdout=None)
    with observer():
        names = list(
            Tier.objects.filter(partner_type__programme__code="vates", partner_type__code="msp")
            .order_by("level")
            .values_list("level", "name")
        )
        label = Tier.objects.get(partner_type__code="reseller", level=4).label
    assert names == [(1, "Registered"), (2, "Silver"), (3, "Gold"), (4, "Platinum")]
    assert label == "Tier 4 · Platinum"


@pytest.mark.django_db
def test_the_migration_names_the_tiers_of_an_existing_install():
    import importlib

    migration = importlib.import_module("partners.migrations.0009_tier_names")
    call_command("load_programme", "vates", "--default", stdout=None)
    with observer():
        Tier.objects.filter(partner_type__programme__code="vates").update(name="")
        Tier.objects.filter(partner_type__code="distributor", level=2).update(name="Argent")
        from django.apps import apps

        migration.name_tiers(apps, None)
        names = dict(
            Tier.objects.filter(partner_type__code="distributor").values_list("level", "name")
        )
    assert names == {1: "Registered", 2: "Argent", 3: "Gold", 4: "Platinum"}


@pytest.mark.django_db
def test_the_tier_filter_and_badges_name_the_tiers_in_order():
    call_command("load_programme", "vates", "--default", stdout=None)
    from partners.models import PartnerType

    with observer():
        reseller = PartnerType.objects.get(programme__code="vates", code="reseller")
    for level in (4, 1, 2):
        _partner_of_tier(reseller, level, display_name=f"Partner at {level}")

    page = Client().get(PAGE).content.decode()
    select = page[page.index('id="locator-tier"') :].split("</select>", 1)[0]
    labels = re.findall(r"<option value=\"\d\"[^>]*>([^<]+)</option>", select)
    assert labels == [
        "Tier 1 · Registered",
        "Tier 2 · Silver",
        "Tier 3 · Gold",
        "Tier 4 · Platinum",
    ]
    assert "Tier 4 · Platinum" in page.split('id="locator-tier"')[1].split("</select>", 1)[1]
    entry = next(
        e for e in Client().get(LIST).json()["results"] if e["display_name"] == "Partner at 2"
    )
    assert entry["tier"] == {"level": 2, "name": "Silver", "label": "Tier 2 · Silver"}


def _partner_of_tier(partner_type, level, **profile):
    from tests.factories import OrganisationFactory
    from tests.partners.factories_directory import PartnerProfileFactory

    with observer():
        tier = Tier.objects.get(partner_type=partner_type, level=level)
    organisation = OrganisationFactory(partner_type=partner_type, tier=tier)
    return PartnerProfileFactory(organisation=organisation, **profile)


# --- The listing rule -------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("description", "listed"),
    [
        ("", False),  # the profile made at approval
        ("   \n\t ", False),
        (words(29), False),
        (words(30), True),
        ("\n  " + words(15) + " \n\n\t " + words(15) + "  ", True),  # any whitespace
        (words(100), True),
        (words(101), False),
    ],
)
def test_a_profile_is_listed_only_with_30_to_100_words(description, listed):
    profile = listed_partner(display_name="Candidate", description=description)

    assert profile_is_listed(organisation=profile.organisation) is listed
    with observer():
        assert directory_entries().filter(pk=profile.pk).exists() is listed
    assert ("Candidate" in _names(Client().get(LIST))) is listed
    assert Client().get(f"{LIST}/{profile.organisation_id}").status_code == (200 if listed else 404)
    assert Client().get(f"/partners/{profile.organisation_id}/").status_code == (
        200 if listed else 404
    )
    with observer():
        problems = profile_listing_problems(profile=profile)
    assert (problems == []) is listed


@pytest.mark.django_db
def test_a_new_partner_with_an_empty_profile_is_not_listed(tenants):
    # Approval creates an empty profile: the partner sees why it is not listed.
    alice = tenants.alice
    with observer():
        PartnerProfile.objects.filter(organisation=alice.organisation).delete()
        PartnerProfile.objects.create(
            organisation=alice.organisation,
            display_name="Alice Fresh",
            country=alice.organisation.country,
        )
    assert "Alice Fresh" not in _names(Client().get(LIST))

    page = alice.browser().get("/space/profile/").content.decode()
    assert "Your profile is not listed" in page
    assert "it has 0 words" in page
    body = alice.api().get("/api/v1/profile").json()
    assert body["listed"] is False
    assert body["listing_problems"] == [
        "The description must be 30 to 100 words long; it has 0 words."
    ]


@pytest.mark.django_db
def test_the_profile_page_names_every_reason(tenants):
    alice = tenants.alice
    with observer():
        PartnerProfile.objects.filter(organisation=alice.organisation).delete()
        profile = PartnerProfile.objects.create(
            organisation=alice.organisation,
            display_name="Alice Pending",
            description=words(12),
            country=alice.organisation.country,
        )
        Organisation.objects.filter(pk=alice.organisation.pk).update(
            status=Organisation.Status.SUSPENDED
        )
        profile.organisation.refresh_from_db()
        problems = profile_listing_problems(profile=profile)
    assert problems == [
        "Your organisation is suspended.",
        "The description must be 30 to 100 words long; it has 12 words.",
    ]


@pytest.mark.django_db
def test_a_listed_profile_says_so(tenants):
    alice = tenants.alice
    with observer():
        PartnerProfile.objects.filter(organisation=alice.organisation).delete()
        PartnerProfile.objects.create(
            organisation=alice.organisation,
            display_name="Alice Listed",
            description=words(40),
            country=alice.organisation.country,
        )
    page = alice.browser().get("/space/profile/").content.decode()
    assert "Your profile is listed in the public partner locator." in page
    assert alice.api().get("/api/v1/profile").json()["listing_problems"] == []
