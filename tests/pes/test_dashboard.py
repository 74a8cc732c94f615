"""The partner's status dashboard (issue 13): this quarter against the tier with progress
bars, the next tier in plain words, the year's quarters, the score, the charts' data
(gross invoiced counted as the evaluation counts it), what is coming due; what each role
sees; a constant number of queries whatever the data."""

import datetime
import json
import re
from decimal import Decimal

import pytest
from django.db import connection
from django.template.loader import render_to_string
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from billing.models import Invoice
from deals.models import Deal
from partners import roles
from partners.models import Organisation
from pes.measures import Period, measure
from pes.models import TierEvaluation
from pes.quarters import Quarter
from pes.selectors.charts import gross_by_quarter, quarters_ending
from pes.selectors.dashboard import status_dashboard
from tests.billing.payment_support import issued_invoice, ordered_invoice
from tests.deals.factories import make_deal
from tests.factories import TierFactory
from tests.licensing.factories_links import bound_licence
from tests.partners.factories_team import member_of
from tests.pes.dashboard_support import demanding, evaluation, sale
from tests.tenancy_support import observer

AUGUST = datetime.date(2026, 8, 15)
Q3 = Quarter(2026, 3)


def _chart_data(page: str) -> dict:
    found = re.search(r'<script id="pes-chart-data" type="application/json">(.*?)</script>', page)
    assert found, "the charts' data is on the page"
    return json.loads(found.group(1))


def _partial(organisation, *, on=AUGUST, role=roles.ADMIN, staff=False) -> str:
    dash = status_dashboard(organisation=organisation, role=role, on=on)
    return render_to_string("pes/_status.html", {"dash": dash, "staff": staff})


# --- Gross invoiced per quarter ----------------------------------------------------------


def test_the_gross_chart_counts_as_the_evaluation_counts(tenants):
    # Given invoices over five quarters, a credit note, and an own-use (NFR) order
    organisation = tenants.alice.organisation
    issued_invoice(organisation, issued_on=datetime.date(2025, 8, 1), total="500.00")
    issued_invoice(organisation, issued_on=datetime.date(2025, 11, 3), total="1000.00")
    first = issued_invoice(organisation, issued_on=datetime.date(2026, 2, 2), total="2000.00")
    issued_invoice(
        organisation,
        issued_on=datetime.date(2026, 2, 20),
        kind=Invoice.Kind.CREDIT_NOTE,
        credited=first,
        total="300.00",
    )
    issued_invoice(organisation, issued_on=datetime.date(2026, 5, 5), total="4000.00")
    issued_invoice(tenants.bob.organisation, issued_on=datetime.date(2026, 5, 5), total="99.00")
    own_use = ordered_invoice(tenants.alice)  # the personal space: never counted
    assert own_use.gross_usd > 0

    # When the chart is read for the five quarters to 2026 Q3
    bars = gross_by_quarter(organisation=organisation, quarters=quarters_ending(Q3))

    # Then each quarter holds its invoices less its credit notes, in order
    assert [b.label for b in bars] == ["2025 Q3", "2025 Q4", "2026 Q1", "2026 Q2", "2026 Q3"]
    assert [b.value for b in bars] == [
        Decimal("500.00"),
        Decimal("1000.00"),
        Decimal("1700.00"),
        Decimal("4000.00"),
        Decimal("0.00"),
    ]
    # And the four quarters of a year add up to what the tier evaluation measures
    measured = measure(
        period=Period.of_quarter(Quarter(2026, 2)), organisation_ids=[organisation.pk]
    )
    assert sum(b.value for b in bars[:4]) == measured[organisation.pk].gross_invoiced


def test_the_gross_chart_is_one_query_for_every_quarter(tenants):
    organisation = tenants.alice.organisation
    for month in (1, 4, 7):
        issued_invoice(organisation, issued_on=datetime.date(2026, month, 3))
    with CaptureQueriesContext(connection) as queries:
        gross_by_quarter(organisation=organisation, quarters=quarters_ending(Q3, count=8))
    assert len(queries) == 1


# --- This quarter, the next tier, the year ------------------------------------------------


def test_this_quarter_shows_each_requirement_with_a_bar_and_a_mark(tenants):
    # Given a tier asking for 10,000 USD and at most 20 % co-led sales, and a quarter
    # with 4,000 USD invoiced and one co-led sale of two
    organisation = tenants.alice.organisation
    demanding(organisation.tier)
    issued_invoice(organisation, issued_on=datetime.date(2026, 7, 1), total="4000.00")
    today = timezone.localdate()
    sale(organisation, engagement_model="co_led_partner")
    sale(organisation, engagement_model="partner_owned")

    page = _partial(organisation, on=today)

    # Then the gross minimum is 40 % of the way (for an organisation invoiced this year)
    # and the co-led share (50 %) is over its ceiling: a full red bar
    co_led = re.search(r'data-criterion="co_led_share" data-passed="no">(.*?)</li>', page, re.S)
    assert co_led, page
    assert "50.0%" in co_led.group(1)
    assert "at most 20.0%" in co_led.group(1)
    assert "bg-danger pes-w-100" in co_led.group(1)
    assert "Over" in co_led.group(1)
    assert 'data-criterion="gross_invoiced"' in page


def test_a_2026_joiner_sees_the_gross_minimum_marked_exempt(tenants):
    organisation = tenants.alice.organisation
    demanding(organisation.tier)
    with observer():
        programme = organisation.partner_type.programme
        programme.gross_exemption_join_year = 2026
        programme.save()
        Organisation.objects.filter(pk=organisation.pk).update(joined_on=datetime.date(2026, 3, 1))
    page = _partial(organisation)
    gross = re.search(r'data-criterion="gross_invoiced" data-passed="yes">(.*?)</li>', page, re.S)
    assert gross, page
    assert "Exempt:" in gross.group(1)


def test_the_next_tier_in_plain_words_then_the_upgrade_flag(tenants):
    # Given a tier 1 partner and a tier 2 asking for 5 certified sales professionals
    organisation = tenants.alice.organisation
    tier2 = TierFactory(partner_type=organisation.partner_type, level=2)
    demanding(tier2, min_certified_sales=5, min_gross_invoiced=Decimal("0"))
    page = _partial(organisation)
    assert "Towards Tier 2" in page
    assert "Have 5 more certified sales professionals" in page
    assert 'data-upgrade="flagged"' not in page

    # When the latest evaluation flagged it for the upgrade
    evaluation(organisation, Quarter(2026, 2), passed=True, upgrade_to=tier2)
    page = _partial(organisation)
    assert "You meet everything for Tier 2: the channel team will confirm your upgrade." in page
    staff_page = _partial(organisation, staff=True, role=None)
    assert "the upgrade waits for the channel team" in staff_page


def test_the_year_reads_quarter_by_quarter_with_the_risk_and_the_criteria(tenants):
    # Given Q1 passed and Q2 failed, in Q3
    organisation = tenants.alice.organisation
    demanding(organisation.tier)
    evaluation(organisation, Quarter(2026, 1), passed=True)
    evaluation(organisation, Quarter(2026, 2), passed=False)
    evaluation(organisation, Quarter(2025, 4), passed=False)  # last year: not this year's

    page = _partial(organisation)

    states = dict(
        re.findall(r'class="pes-year-quarter" data-quarter="(\w+)" data-state="(\w+)"', page)
    )
    assert states == {
        "2026Q1": "passed",
        "2026Q2": "failed",
        "2026Q3": "in_progress",
        "2026Q4": "not_evaluated",
    }
    assert "Q4: To come" in page
    assert 'data-at-risk="yes"' in page
    assert "a second one before the year ends moves you" in page
    # Each evaluated quarter expands to its criteria
    q2 = re.search(
        r'<details class="pes-evaluation[^"]*" data-quarter="2026Q2">(.*?)</details>', page, re.S
    )
    assert q2, page
    assert 'data-criterion="co_led_share"' in q2.group(1)
    assert "not met" in q2.group(1)


def test_the_deal_mix_and_the_score_breakdown(tenants):
    organisation = tenants.alice.organisation
    for model in ("partner_owned", "partner_owned", "co_led_vendor", "late_involvement"):
        sale(organisation, engagement_model=model)
    dash = status_dashboard(organisation=organisation, role=roles.ADMIN, on=timezone.localdate())
    assert dash.charts["mix"] == {
        "labels": ["Partner-owned", "Co-led", "Late involvement"],
        "values": [2, 1, 1],
    }
    assert [c.points for c in dash.score.categories] == [0] * len(dash.score.categories)
    assert len(dash.score.categories) == 5


# --- What is coming due -------------------------------------------------------------------


def test_deals_ending_protection_and_licences_awaiting_redemption_are_listed(tenants):
    organisation = tenants.alice.organisation
    today = timezone.localdate()
    soon = make_deal(
        organisation,
        status=Deal.Status.APPROVED,
        customer_name="Ends Soon AG",
        protected_until=today + datetime.timedelta(days=5),
    )
    make_deal(organisation, status=Deal.Status.APPROVED, customer_name="Far Away AG")
    make_deal(
        tenants.bob.organisation,
        status=Deal.Status.APPROVED,
        customer_name="Not Alice SARL",
        protected_until=today + datetime.timedelta(days=5),
    )
    licence, _ = bound_licence(organisation)

    page = tenants.alice.browser().get("/space/").content.decode()

    assert "Ends Soon AG" in page
    assert f"/space/deals/{soon.pk}/" in page
    assert "Far Away AG" not in page
    assert "Not Alice SARL" not in page
    assert f"/space/licences/{licence.pk}/" in page


# --- Who sees what ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("role", "sees_money"),
    [
        (roles.ADMIN, True),
        (roles.FINANCE, True),
        (roles.SALES, False),
        (roles.TECHNICAL, False),
    ],
)
def test_each_role_gets_the_dashboard_and_only_invoice_roles_the_gross_chart(
    tenants, role, sees_money
):
    organisation = tenants.alice.organisation
    issued_invoice(organisation, issued_on=timezone.localdate(), total="1234.00")
    member = tenants.alice.membership if role == roles.ADMIN else member_of(tenants.alice, role)
    client = tenants.alice.browser()
    client.force_login(member.user)

    response = client.get("/space/")

    assert response.status_code == 200
    page = response.content.decode()
    data = _chart_data(page)
    assert ("gross" in data) is sees_money
    assert ('id="pes-gross-chart"' in page) is sees_money
    assert ("1,234 USD" in page) is sees_money
    assert "vendor/chartjs/chart.umd.min.js" in page
    assert "js/status-charts.js" in page
    # No inline script other than the JSON data block (the CSP would refuse one)
    scripts = re.findall(r"<script(?![^>]*\bsrc=)([^>]*)>", page)
    assert scripts == [' id="pes-chart-data" type="application/json"']


def test_a_new_partner_sees_the_checklist_first_and_a_done_one_sees_its_status_first(tenants):
    page = tenants.alice.browser().get("/space/").content.decode()
    assert page.index('id="checklist-heading"') < page.index('id="quarter-heading"')


# --- Queries ------------------------------------------------------------------------------


def _grow(tenant, n: int) -> None:
    organisation = tenant.organisation
    today = timezone.localdate()
    for i in range(n):
        sale(organisation, engagement_model="co_led_partner" if i % 2 else "partner_owned")
        issued_invoice(organisation, issued_on=today - datetime.timedelta(days=40 * i + 1))
        make_deal(
            organisation,
            status=Deal.Status.APPROVED,
            protected_until=today + datetime.timedelta(days=i + 1),
        )
        bound_licence(organisation)
    quarter = Quarter.containing(today)
    for _ in range(n):
        quarter = quarter.previous()
        if not TierEvaluation.objects.filter(
            organisation=organisation, year=quarter.year, quarter=quarter.number
        ).exists():
            evaluation(organisation, quarter, passed=bool(quarter.number % 2))


def test_the_dashboard_costs_the_same_queries_however_much_data(tenants):
    demanding(tenants.alice.organisation.tier)
    TierFactory(partner_type=tenants.alice.organisation.partner_type, level=2)
    client = tenants.alice.browser()

    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert client.get("/space/").status_code == 200
        return len(queries)

    _grow(tenants.alice, 1)
    few = count()
    _grow(tenants.alice, 6)
    assert count() == few
