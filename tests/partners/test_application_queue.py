"""The channel team's review queue: paginated, and its checks read once for a whole page
(the query counts themselves are in tests/portal/test_query_counts.py)."""

from __future__ import annotations

import re
from dataclasses import asdict

import pytest
from django.core.management import call_command
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from partners.models import PartnerApplication, PartnerType
from partners.selectors.applications import application_checks, application_queue
from tests.factories import OrganisationFactory, UserFactory
from tests.partners.factories_onboarding import PartnerApplicationFactory

QUEUE = "/api/v1/staff/applications"


@pytest.fixture
def staff(db) -> Client:
    client = Client()
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    return client


@pytest.fixture
def types(db) -> dict[str, PartnerType]:
    for name in ("mattermost", "vates"):
        call_command("load_programme", name, stdout=None)
    return {
        "mattermost": PartnerType.objects.get(
            programme__code="mattermost", code="value_added_reseller"
        ),
        "vates": PartnerType.objects.get(programme__code="vates", code="reseller"),
    }


def _checks(checks) -> dict[str, bool]:
    return {check["label"]: check["passed"] for check in checks}


def test_the_queue_checks_each_row_as_the_single_application_is_checked(staff, types):
    # Given applications that exercise every check: embargoed regions and countries,
    # Mattermost's criteria, and names that match an existing partner
    crimea = PartnerApplicationFactory(
        partner_type=types["vates"], country="UA", region="crimea", company_name="Krym Soft"
    )
    kyiv = PartnerApplicationFactory(
        partner_type=types["vates"], country="UA", region="Kyiv", company_name="Kyiv Soft"
    )
    cuba = PartnerApplicationFactory(partner_type=types["vates"], country="CU")
    young = PartnerApplicationFactory(
        partner_type=types["mattermost"], years_in_operation=1, customer_to_resell_to=""
    )
    OrganisationFactory(name="ALREADY HERE LTD")
    duplicate = PartnerApplicationFactory(
        partner_type=types["vates"], company_name="Already Here Ltd"
    )
    approved_org = OrganisationFactory(name="Approved Ltd")
    approved = PartnerApplicationFactory(
        partner_type=types["vates"],
        company_name="Approved Ltd",
        status=PartnerApplication.Status.APPROVED,
        organisation=approved_org,
    )

    # When the channel team reads the queue
    listed = {item["id"]: _checks(item["checks"]) for item in staff.get(QUEUE).json()}

    # Then every row's checks are those of the application read on its own
    for application in (crimea, kyiv, cuba, young, duplicate, approved):
        alone = PartnerApplication.objects.get(pk=application.pk)
        expected = {c.label: c.passed for c in application_checks(application=alone)}
        assert listed[str(application.pk)] == expected, application.company_name
    assert listed[str(crimea.pk)] == {
        "Country not under embargo": False,
        "Region outside embargoed regions": False,
        "Not already a partner": True,
    }
    assert listed[str(kyiv.pk)]["Region outside embargoed regions"] is True
    assert listed[str(cuba.pk)]["Country not under embargo"] is False
    assert listed[str(young.pk)] == {
        "Country not under embargo": True,
        "At least 2 years of operation": False,
        "Names a customer to resell to": False,
        "Not already a partner": True,
    }
    # A partner of the same name (any case) is flagged; the organisation an application's
    # approval created is not "another" partner.
    assert listed[str(duplicate.pk)]["Not already a partner"] is False
    assert listed[str(approved.pk)]["Not already a partner"] is True


def test_the_checks_of_a_queue_page_run_no_query_per_row(types):
    for n in range(5):
        PartnerApplicationFactory(partner_type=types["vates"], country="UA", region=f"r{n}")
    OrganisationFactory(name="Applicant 0 GmbH")

    page = list(application_queue())
    with CaptureQueriesContext(connection) as captured:
        checks = [application_checks(application=a) for a in page]

    assert len(captured) == 0, [q["sql"] for q in captured]
    assert all(asdict(c)["label"] for row in checks for c in row)


def test_the_queue_is_paginated_and_stays_an_array(staff, types):
    # Given 30 applications
    created = [PartnerApplicationFactory(partner_type=types["vates"]) for _ in range(30)]

    # When the channel team reads the queue's first page
    first = staff.get(QUEUE)

    # Then the body is still an array (of one page), the headers lead on
    assert first.status_code == 200
    assert isinstance(first.json(), list)
    assert len(first.json()) == 25
    assert first["X-Total-Count"] == "30"
    next_url = re.fullmatch(r'<([^>]+)>; rel="next"', first["Link"]).group(1)
    assert next_url.endswith("?page=2")

    second = staff.get(next_url)
    assert len(second.json()) == 5
    assert 'rel="prev"' in second["Link"]
    assert 'rel="next"' not in second["Link"]
    ids = [a["id"] for a in first.json() + second.json()]
    assert sorted(ids) == sorted(str(a.pk) for a in created)  # no row twice, none lost

    # And a client may ask for smaller pages, up to a bound
    assert len(staff.get(f"{QUEUE}?page_size=10").json()) == 10
    assert len(staff.get(f"{QUEUE}?page_size=100000").json()) == 30
    assert staff.get(f"{QUEUE}?page=9").status_code == 404


def test_a_filtered_page_links_keep_the_filter(staff, types):
    for _ in range(3):
        PartnerApplicationFactory(partner_type=types["vates"])
    PartnerApplicationFactory(
        partner_type=types["vates"], status=PartnerApplication.Status.REJECTED
    )

    response = staff.get(f"{QUEUE}?status=submitted&page_size=2")

    assert response["X-Total-Count"] == "3"
    assert "status=submitted" in response["Link"]
    assert all(a["status"] == "submitted" for a in response.json())


def test_the_admin_changelist_shows_the_checks_of_each_row(staff, types):
    PartnerApplicationFactory(
        partner_type=types["mattermost"], years_in_operation=1, customer_to_resell_to=""
    )
    OrganisationFactory(name="Taken Ltd")
    PartnerApplicationFactory(partner_type=types["vates"], company_name="Taken Ltd")

    html = staff.get("/admin/partners/partnerapplication/").content.decode()

    assert "2/4 passed" in html  # Mattermost: too young, no customer named
    assert "1/2 passed" in html  # Vates: already a partner
