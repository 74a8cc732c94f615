"""The public partner locator (SPEC §3.8): only active partners of listed types, only their
public fields, with search, filters and pagination, on the page and in the API."""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from partners.models import Organisation
from tests.factories import MembershipFactory
from tests.partners.factories_directory import give_logo, listed_partner
from tests.tenancy_support import observer

LIST = "/api/v1/directory"
PAGE = "/partners/"

PUBLIC_KEYS = {
    "id",
    "display_name",
    "description",
    "city",
    "region",
    "country",
    "country_name",
    "website",
    "logo_url",
    "partner_type",
    "tier",
    "territory",
}


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path) -> Path:
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


@pytest.fixture
def partners(db) -> SimpleNamespace:
    """Listed partners, and partners that must never appear."""
    northwind = give_logo(
        listed_partner(
            type_code="distributor",
            tier_level=2,
            country="DE",
            display_name="Northwind Distribution",
            legal_name="Northwind Holding GmbH & Co. KG",
            city="Hamburg",
        )
    )
    bluepeak = listed_partner(
        type_code="reseller", tier_level=1, country="FR", display_name="Bluepeak IT"
    )
    cloudnine = listed_partner(
        type_code="csp", tier_level=None, country="US", display_name="Cloud Nine Hosting"
    )
    pending = give_logo(
        listed_partner(status=Organisation.Status.PENDING, display_name="Pending Partner")
    )
    suspended = give_logo(
        listed_partner(status=Organisation.Status.SUSPENDED, display_name="Suspended Partner")
    )
    unlisted = give_logo(
        listed_partner(type_code="referral", listed_type=False, display_name="Referral Only")
    )
    return SimpleNamespace(
        northwind=northwind,
        bluepeak=bluepeak,
        cloudnine=cloudnine,
        listed=(northwind, bluepeak, cloudnine),
        hidden=(pending, suspended, unlisted),
    )


def names(response) -> list[str]:
    return [entry["display_name"] for entry in response.json()["results"]]


# --- Only listed partners, only public fields ----------------------------------------


@pytest.mark.django_db
def test_list_shows_only_active_partners_of_listed_types(client, partners):
    response = client.get(LIST)

    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 3
    assert names(response) == ["Bluepeak IT", "Cloud Nine Hosting", "Northwind Distribution"]
    for hidden in partners.hidden:
        assert hidden.display_name not in response.content.decode()
        assert str(hidden.organisation_id) not in response.content.decode()


@pytest.mark.django_db
def test_entries_carry_exactly_the_public_fields(client, partners):
    response = client.get(LIST)

    entries = {e["display_name"]: e for e in response.json()["results"]}
    for entry in entries.values():
        assert set(entry) == PUBLIC_KEYS
    northwind = entries["Northwind Distribution"]
    assert northwind["id"] == str(partners.northwind.organisation_id)
    assert northwind["country"] == "DE"
    assert northwind["country_name"] == "Germany"
    assert northwind["partner_type"] == {"code": "distributor", "name": "Distributor"}
    assert set(northwind["tier"]) == {"level", "name", "label"}
    assert northwind["tier"]["level"] == 2
    assert northwind["logo_url"].startswith(
        f"http://testserver/partners/{partners.northwind.organisation_id}/logo?v="
    )
    assert entries["Cloud Nine Hosting"]["tier"] is None
    assert entries["Bluepeak IT"]["logo_url"] is None
    # Never the legal name, the status, or the members.
    body = response.content.decode()
    assert "Northwind Holding" not in body
    assert '"status"' not in body
    assert "@" not in body


@pytest.mark.django_db
def test_detail_shows_a_listed_partner_and_404s_every_hidden_one(client, partners):
    northwind = client.get(f"{LIST}/{partners.northwind.organisation_id}")
    assert northwind.status_code == 200
    assert set(northwind.json()) == PUBLIC_KEYS

    for hidden in partners.hidden:
        assert client.get(f"{LIST}/{hidden.organisation_id}").status_code == 404
        assert client.get(f"{PAGE}{hidden.organisation_id}/").status_code == 404
        assert client.get(f"{PAGE}{hidden.organisation_id}/logo").status_code == 404
    unknown = "00000000-0000-0000-0000-000000000000"
    assert client.get(f"{LIST}/{unknown}").status_code == 404
    assert client.get(f"{LIST}/not-a-uuid").status_code == 404


@pytest.mark.django_db
def test_pages_show_listed_partners_only(client, partners):
    page = client.get(PAGE)

    assert page.status_code == 200
    html = page.content.decode()
    for listed in partners.listed:
        assert listed.display_name in html
    for hidden in partners.hidden:
        assert hidden.display_name not in html
    assert "Northwind Holding" not in html

    detail = client.get(f"{PAGE}{partners.northwind.organisation_id}/")
    assert detail.status_code == 200
    html = detail.content.decode()
    assert "Northwind Distribution" in html
    assert "Hamburg" in html
    assert "Northwind Holding" not in html


@pytest.mark.django_db
def test_logo_is_served_with_its_type_and_a_cache_header(client, partners, media_root):
    url = client.get(f"{LIST}/{partners.northwind.organisation_id}").json()["logo_url"]

    response = client.get(url)

    assert response.status_code == 200
    assert response["Content-Type"] == "image/png"
    assert "max-age=" in response["Cache-Control"]
    assert "public" in response["Cache-Control"]
    assert response.content == (media_root / partners.northwind.logo.name).read_bytes()
    # A listed partner without a logo has none to serve.
    assert client.get(f"{PAGE}{partners.bluepeak.organisation_id}/logo").status_code == 404


@pytest.mark.django_db
def test_partner_members_see_the_same_public_directory(tenants, partners):
    # A logged-in partner reads the locator across tenants too, but nothing private.
    response = tenants.alice.api().get(LIST)

    assert response.status_code == 200
    assert "Northwind Distribution" in names(response)
    assert tenants.bob.organisation.name not in response.content.decode()  # no profile
    page = tenants.alice.browser().get(PAGE)
    assert "Northwind Distribution" in page.content.decode()


@pytest.mark.django_db
def test_suspending_a_partner_removes_it_at_once(client, partners):
    organisation = partners.northwind.organisation
    MembershipFactory(organisation=organisation)
    with observer():
        Organisation.objects.filter(pk=organisation.pk).update(status=Organisation.Status.SUSPENDED)

    assert "Northwind Distribution" not in names(client.get(LIST))
    assert client.get(f"{PAGE}{organisation.pk}/logo").status_code == 404


# --- Search, filters, pagination -----------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("search=north", ["Northwind Distribution"]),
        ("search=HOSTING", ["Cloud Nine Hosting"]),
        ("search=Holding", []),  # the legal name is not searchable
        ("search=Pending", []),
        ("country=DE", ["Northwind Distribution"]),
        ("country=fr", ["Bluepeak IT"]),
        ("country=IT", []),
        ("type=distributor", ["Northwind Distribution"]),
        ("type=csp", ["Cloud Nine Hosting"]),
        ("tier=1", ["Bluepeak IT"]),
        ("tier=2&country=DE", ["Northwind Distribution"]),
        ("tier=2&country=FR", []),
        ("search=i&type=reseller", ["Bluepeak IT"]),
        (
            "search=&country=&type=&tier=",
            ["Bluepeak IT", "Cloud Nine Hosting", "Northwind Distribution"],
        ),
    ],
)
def test_search_and_filters(client, partners, query, expected):
    response = client.get(f"{LIST}?{query}")
    assert response.status_code == 200, response.content
    assert names(response) == expected

    page = client.get(f"{PAGE}?{query}")
    assert page.status_code == 200
    shown = [card["profile"].display_name for card in page.context["cards"]]
    assert shown == expected


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("query", "field", "message"),
    [
        ("country=XX", "country", "XX is not a country code"),
        ("country=Germany", "country", "not a country code"),
        ("tier=two", "tier", "whole number"),
        ("tier=2.5", "tier", "whole number"),
        ("tier=0", "tier", "greater than or equal to 1"),
        ("type=referral", "type", "not a partner type listed here"),
        ("type=nonsense", "type", "not a partner type listed here"),
        (f"search={'x' * 101}", "search", "at most 100 characters"),
    ],
)
def test_bad_filters_are_refused(client, partners, query, field, message):
    response = client.get(f"{LIST}?{query}")
    assert response.status_code == 400
    body = response.json()
    assert list(body["fields"]) == [field]
    assert message in body["fields"][field][0]

    page = client.get(f"{PAGE}?{query}")
    assert page.status_code == 200
    assert message in page.context["filters"].errors[field][0]
    assert page.context["cards"] == []
    assert "is-invalid" in page.content.decode()


@pytest.mark.django_db
def test_pagination_by_twenty(client):
    for i in range(25):
        listed_partner(display_name=f"Partner {i:02d}")

    first = client.get(LIST).json()
    second = client.get(f"{LIST}?page=2").json()

    assert first["count"] == 25
    assert len(first["results"]) == 20
    assert first["next"].endswith("page=2")
    assert len(second["results"]) == 5
    assert second["next"] is None

    page = client.get(f"{PAGE}?country=DE")
    assert len(page.context["cards"]) == 20
    assert "?country=DE&amp;page=2" in page.content.decode()
    assert len(client.get(f"{PAGE}?country=DE&page=2").context["cards"]) == 5


# --- Query counts do not grow with the directory -------------------------------------


def _queries(client, path) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(path).status_code == 200
    return len(captured)


def _add_partners(count: int) -> None:
    for i in range(count):
        profile = listed_partner(
            type_code=("distributor", "reseller", "csp")[i % 3],
            tier_level=(None, 1, 2)[i % 3],
            country=("DE", "FR", "US")[i % 3],
        )
        if i % 2:
            give_logo(profile)


@pytest.mark.django_db
@pytest.mark.parametrize(
    "path", [LIST, PAGE, f"{LIST}?country=DE&type=distributor", f"{PAGE}?search=Partner"]
)
def test_query_count_is_constant(client, path):
    _add_partners(3)
    _queries(client, path)  # warm caches (content types)
    few = _queries(client, path)

    _add_partners(27)

    assert _queries(client, path) == few


@pytest.mark.django_db
def test_detail_query_count_is_constant(client):
    _add_partners(3)
    profile = listed_partner(display_name="Constant")
    few_api = _queries(client, f"{LIST}/{profile.organisation_id}")
    few_page = _queries(client, f"{PAGE}{profile.organisation_id}/")

    _add_partners(27)

    assert _queries(client, f"{LIST}/{profile.organisation_id}") == few_api
    assert _queries(client, f"{PAGE}{profile.organisation_id}/") == few_page
