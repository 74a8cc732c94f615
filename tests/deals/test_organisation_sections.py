"""An organisation's admin page shows its latest licences and deal registrations, at a
size (and query count) that does not grow with the partner's history."""

import re

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from tests.deals.factories import make_deal
from tests.factories import OrganisationFactory, staff_user
from tests.licensing.factories import issue_licence

pytestmark = pytest.mark.django_db


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _page(client, organisation):
    return client.get(f"/admin/partners/organisation/{organisation.pk}/change/")


def _rows(html: str, section: str) -> int:
    """How many rows the section's table shows (Django's tabular inline marks each
    existing row with class "has_original")."""
    start = html.lower().index(section)
    end = html.find("</fieldset>", start)
    return len(re.findall(r'class="form-row[^"]*has_original', html[start:end]))


def test_the_latest_ten_licences_and_registrations_show_at_a_constant_cost():
    # Given a partner with a few licences and registrations
    organisation = OrganisationFactory()
    for _ in range(3):
        issue_licence(organisation, customer_name="Early Customer AG")
        make_deal(organisation)
    manager = _client(
        staff_user("partners.view_organisation", "licensing.view_licence", "deals.view_deal")
    )
    _page(manager, organisation)  # warm the per-process caches (content types)
    with CaptureQueriesContext(connection) as few:
        first = _page(manager, organisation)
    html = first.content.decode()
    assert first.status_code == 200
    assert _rows(html, "licences (the latest 10)") == 3
    assert _rows(html, "deal registrations (the latest 10)") == 3

    # When it has many more
    for _ in range(10):
        issue_licence(organisation)
        make_deal(organisation)
    with CaptureQueriesContext(connection) as many:
        second = _page(manager, organisation)

    # Then each section shows the newest ten, for the same number of queries
    html = second.content.decode()
    assert _rows(html, "licences (the latest 10)") == 10
    assert _rows(html, "deal registrations (the latest 10)") == 10
    licences = html.lower().index("licences (the latest 10)")
    assert "Early Customer AG" not in html[licences:]  # the oldest are not among them
    assert len(many) == len(few)


def test_staff_who_may_not_view_licences_or_deals_do_not_see_the_sections():
    organisation = OrganisationFactory()
    issue_licence(organisation)
    make_deal(organisation)
    html = _page(_client(staff_user("partners.view_organisation")), organisation).content.decode()
    assert "licences (the latest 10)" not in html.lower()
    assert "deal registrations (the latest 10)" not in html.lower()
