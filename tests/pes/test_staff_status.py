"""The channel team's view of a partner's status (the partner's own status, plus its
evaluations and tier changes) and the programme overview: who may open them, what they
show, and a constant number of queries."""

import re

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from partners.models import Organisation
from pes.models import TierChange
from pes.quarters import Quarter
from pes.selectors.overview import programme_overview
from tests.factories import OrganisationFactory, TierFactory, staff_user
from tests.pes.dashboard_support import demanding, evaluation
from tests.tenancy_support import observer

YEAR = timezone.localdate().year


def _staff(*permissions) -> Client:
    client = Client()
    client.force_login(staff_user(*permissions))
    return client


def _status_url(organisation) -> str:
    return reverse("admin:pes_partner_status", args=[organisation.pk])


# --- Who may open them --------------------------------------------------------------------


def test_staff_who_may_view_organisations_open_both_pages(tenants):
    client = _staff("partners.view_organisation")
    assert client.get(_status_url(tenants.bob.organisation)).status_code == 200
    assert client.get(reverse("admin:pes_overview")).status_code == 200


def test_staff_without_the_permission_are_refused(tenants):
    client = _staff("billing.view_invoice")
    assert client.get(_status_url(tenants.bob.organisation)).status_code == 403
    assert client.get(reverse("admin:pes_overview")).status_code == 403


@pytest.mark.parametrize("url_name", ["status", "overview"])
def test_partners_never_reach_the_staff_pages(tenants, url_name):
    # Even a partner's administrator asking for its own organisation: the admin's login
    url = (
        _status_url(tenants.alice.organisation)
        if url_name == "status"
        else reverse("admin:pes_overview")
    )
    response = tenants.alice.browser().get(url)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("admin:login"))


def test_an_unknown_partner_is_a_404(tenants):
    client = _staff("partners.view_organisation")
    url = reverse("admin:pes_partner_status", args=["00000000-0000-0000-0000-000000000000"])
    assert client.get(url).status_code == 404


def test_the_overview_is_linked_from_the_admin_home_and_the_status_from_the_organisation(
    tenants,
):
    client = _staff("partners.view_organisation")
    home = client.get(reverse("admin:index")).content.decode()
    assert f'href="{reverse("admin:pes_overview")}"' in home
    organisation = tenants.bob.organisation
    change = client.get(
        reverse("admin:partners_organisation_change", args=[organisation.pk])
    ).content.decode()
    assert f'href="{_status_url(organisation)}"' in change

    other = _staff("billing.view_invoice")
    assert reverse("admin:pes_overview") not in other.get(reverse("admin:index")).content.decode()


# --- The partner's status, for the channel team -------------------------------------------


def test_the_staff_view_shows_the_partners_status_evaluations_and_tier_changes(tenants):
    # Given a partner with two evaluations and a tier change
    organisation = tenants.bob.organisation
    demanding(organisation.tier)
    failed = evaluation(organisation, Quarter(YEAR - 1, 3), passed=False)
    evaluation(organisation, Quarter(YEAR - 1, 4), passed=True)
    tier2 = demanding(TierFactory(partner_type=organisation.partner_type, level=2))
    with observer():
        TierChange.objects.create(
            organisation=organisation,
            kind=TierChange.Kind.OVERRIDE,
            from_tier=tier2,
            to_tier=organisation.tier,
            reason="Agreed with the partner after the audit",
            changed_by_label="Channel team",
        )

    page = _staff("partners.view_organisation").get(_status_url(organisation)).content.decode()

    # Then the same status partial as the partner's dashboard, in the third person
    assert 'id="quarter-heading"' in page
    assert 'id="pes-chart-data"' in page
    assert 'id="pes-gross-chart"' in page  # staff see the amounts
    assert "What the partner needs for the next tier" in page
    # And every evaluation with its criteria, newest first
    assert re.findall(r'data-evaluation="(\w+)"', page) == [
        f"{YEAR - 1}Q4",
        f"{YEAR - 1}Q3",
    ]
    assert failed.criteria[0]["label"] in page
    # And the tier change with its reason
    assert "Agreed with the partner after the audit" in page
    assert 'data-change="override"' in page
    # And no link into the partner's own space
    assert "/space/" not in page


def test_the_staff_view_costs_the_same_queries_however_long_the_history(tenants):
    organisation = tenants.bob.organisation
    client = _staff("partners.view_organisation")

    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert client.get(_status_url(organisation)).status_code == 200
        return len(queries)

    evaluation(organisation, Quarter(YEAR - 2, 1), passed=True)
    few = count()
    for n in (2, 3, 4):
        evaluation(organisation, Quarter(YEAR - 2, n), passed=False)
        evaluation(organisation, Quarter(YEAR - 3, n), passed=True)
    assert count() == few


# --- The programme overview ---------------------------------------------------------------


def test_the_overview_counts_partners_and_lists_those_at_risk_and_eligible(tenants):
    # Given: bob failed one quarter this year at its tier (at risk); charlie failed one
    # at a tier it has since left (not at risk); alice was flagged for tier 2
    bob, charlie, alice = (t.organisation for t in (tenants.bob, tenants.charlie, tenants.alice))
    evaluation(bob, Quarter(YEAR, 1), passed=False)
    evaluation(bob, Quarter(YEAR - 1, 4), passed=False)  # last year's: not counted
    old_tier = TierFactory(partner_type=charlie.partner_type, level=3)
    evaluation(charlie, Quarter(YEAR, 1), passed=False, tier=old_tier)
    alice_tier2 = TierFactory(partner_type=alice.partner_type, level=2)
    evaluation(alice, Quarter(YEAR - 1, 3), passed=True, upgrade_to=alice_tier2)
    evaluation(alice, Quarter(YEAR - 1, 4), passed=True, upgrade_to=alice_tier2)
    # and a partner whose upgrade was confirmed already (its tier is the flagged one)
    confirmed = OrganisationFactory(partner_type=alice.partner_type, tier=alice_tier2)
    evaluation(confirmed, Quarter(YEAR - 1, 4), passed=True, upgrade_to=alice_tier2)
    # and one flagged long ago but not by its latest evaluation
    stale = OrganisationFactory(partner_type=alice.partner_type)
    evaluation(stale, Quarter(YEAR - 2, 4), passed=True, upgrade_to=alice_tier2)
    evaluation(stale, Quarter(YEAR - 1, 1), passed=True)

    overview = programme_overview(year=YEAR)

    assert [row.organisation_id for row in overview.at_risk] == [bob.pk]
    assert overview.at_risk[0].failed_quarter == f"{YEAR} Q1"
    assert [e.organisation_id for e in overview.upgrades] == [alice.pk]
    with observer():
        active = Organisation.objects.filter(status=Organisation.Status.ACTIVE).count()
    assert overview.partners == active
    counts = {(row.partner_type, row.level): row.partners for row in overview.tiers}
    assert counts[(alice.partner_type.name, 1)] == 2  # alice and the stale one
    assert counts[(alice.partner_type.name, 2)] == 1

    page = _staff("partners.view_organisation").get(reverse("admin:pes_overview"))
    html = page.content.decode()
    assert f'href="{_status_url(bob)}"' in html
    assert f'href="{_status_url(alice)}"' in html
    assert f'href="{_status_url(charlie)}"' not in html


def test_the_overview_costs_the_same_queries_however_many_partners(tenants):
    client = _staff("partners.view_organisation")

    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert client.get(reverse("admin:pes_overview")).status_code == 200
        return len(queries)

    evaluation(tenants.bob.organisation, Quarter(YEAR, 1), passed=False)
    few = count()
    partner_type = tenants.alice.organisation.partner_type
    tier2 = TierFactory(partner_type=partner_type, level=2)
    for _ in range(5):
        at_risk = OrganisationFactory(partner_type=partner_type)
        evaluation(at_risk, Quarter(YEAR, 1), passed=False)
        eligible = OrganisationFactory(partner_type=partner_type)
        evaluation(eligible, Quarter(YEAR - 1, 4), passed=True, upgrade_to=tier2)
    assert count() == few
