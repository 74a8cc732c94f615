"""The bulk history writer (pes.history) gives measure() exactly the figures intended.

Three partners with a known year: a tier-2 distributor (own sales of every engagement
model, a cancelled order, internal use, upgrades before and after three months, a renewal,
a credit note, points in and out of the twelve months, a webinar attended twice by two
members, training records), a reseller selling through it, and a cloud provider. The
expected figures follow SPEC §3.4 by hand: the writer's test and an independent check of
the measures' SQL."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest

from billing.models import Invoice, Order
from billing.services.invoices import invoice_number_next
from deals.models import Deal
from deals.services.registrations import next_reference
from licensing.models import Licence
from partners.models import Membership, Session
from pes.history import History, Person, history_write
from pes.measures import Period, measure
from pes.models import Activity, Claim, PointsEntry
from pes.quarters import Quarter
from portal.tenancy.context import system_context
from tests.billing.conftest import make_partner, vates  # noqa: F401 - the fixture
from tests.factories import MembershipFactory

Q3 = Quarter.parse("2026Q3")
D = datetime.date
PO, CLP, CLV, LATE = "partner_owned", "co_led_partner", "co_led_vendor", "late_involvement"


@pytest.fixture
def world(vates):  # noqa: F811 - the fixture imported above
    distributor = make_partner(vates, type_code="distributor", tier=2, country="DE")
    reseller = make_partner(
        vates, type_code="reseller", country="FR", distributor=distributor.organisation
    )
    cloud = make_partner(vates, type_code="csp", country="US")
    d = distributor.organisation.pk
    sales_member = MembershipFactory(
        organisation=distributor.organisation, role=Membership.Role.SALES
    )
    tech_member = MembershipFactory(
        organisation=distributor.organisation, role=Membership.Role.TECHNICAL
    )
    admin, sales, tech = (Person.of(m) for m in (distributor.membership, sales_member, tech_member))
    activity = Activity.objects.create(
        programme=vates, code="history-case", name="Case study", category="marketing", points=50
    )

    h = History()
    # The distributor's own quarter: two partner-owned, one co-led (in euros), one late.
    h.sale(d, D(2026, 7, 2), "5000", engagement_model=PO)
    h.sale(d, D(2026, 8, 3), "5000", engagement_model=PO)
    h.sale(d, D(2026, 8, 20), "3000", engagement_model=CLP, currency="EUR")
    h.sale(d, D(2026, 9, 1), "1000")
    # Cancelled (invoiced and credited in full) and internal use: neither counts.
    h.sale(d, D(2026, 7, 20), "5000", engagement_model=PO, cancelled=True)
    h.sale(d, D(2026, 7, 21), "2000", personal=True)
    # Upgrades: two months after the licence's sale (not a customer sale), and three.
    early = h.sale(d, D(2026, 5, 10), "2000")
    h.sale(d, D(2026, 7, 5), "500", kind="upgrade", previous=early)
    later = h.sale(d, D(2026, 4, 1), "2000")
    h.sale(d, D(2026, 8, 15), "800", kind="upgrade", previous=later)
    # A renewal of a sale made before the twelve months.
    first = h.sale(d, D(2025, 9, 15), "1500")
    h.sale(d, D(2026, 9, 10), "1500", kind="renewal", previous=first)
    # A sale partly credited.
    h.sale(d, D(2025, 11, 5), "2000", credited="500")
    # The reseller's co-led sale through the distributor: invoiced to the distributor.
    h.sale(reseller.organisation.pk, D(2026, 8, 1), "4000", engagement_model=CLV, distributor_id=d)
    # The cloud provider: one sale this quarter, one the quarter before.
    h.sale(cloud.organisation.pk, D(2026, 9, 29), "7000")
    h.sale(cloud.organisation.pk, D(2026, 6, 30), "3000", engagement_model=PO)

    h.points(d, D(2025, 9, 30), 40)  # the day before the twelve months
    h.points(d, D(2025, 10, 1), 30)
    h.points(d, D(2026, 3, 1), 50, kind="claim", activity=activity)
    h.points(d, D(2026, 9, 30), 20, kind="event", activity=activity)
    h.attended(admin, D(2026, 2, 3))
    h.attended(sales, D(2026, 2, 20))  # the same month's webinar: one session
    h.attended(tech, D(2026, 8, 1))
    h.attended(tech, D(2025, 9, 5))  # before the twelve months
    h.trained(sales, D(2026, 1, 10))
    h.trained(admin, D(2026, 10, 2))  # after the quarter
    h.certified(tech, D(2025, 6, 1), D(2026, 9, 30))  # valid on the last day
    h.certified(admin, D(2025, 6, 1), D(2026, 9, 29))  # expired the day before
    with system_context("command:seed_demo"):
        written = history_write(history=h)
    return distributor, reseller, cloud, written


def _measured(*orgs):
    with system_context("command:seed_demo"):
        return measure(period=Period.of_quarter(Q3), organisation_ids=[o.pk for o in orgs])


def test_history_gives_the_measures_intended(world):
    distributor, reseller, cloud, _ = world
    # Given the history above, when the quarter is measured
    m = _measured(distributor.organisation, reseller.organisation, cloud.organisation)
    # then the distributor: 5000 + 5000 + 3000 EUR at 1.17 + 1000, the reseller's 4000,
    # 2000 + 500 + 2000 + 800 (two sales, two upgrades), the 1500 renewal, 2000 less 500
    d = m[distributor.organisation.pk]
    assert d.gross_invoiced == Decimal("26810.00")
    # two partner-owned; co-led its own and its reseller's; late: one, an upgrade after
    # three months, a renewal
    assert (d.sales, d.partner_owned, d.co_led, d.late_involvement) == (7, 2, 2, 3)
    assert d.pes == 100
    assert d.sessions == 2
    assert (d.certified_sales, d.certified_technical) == (1, 1)
    assert d.level1_support is False
    # the reseller's sale counts for it; its invoice went to the distributor
    r = m[reseller.organisation.pk]
    assert (r.gross_invoiced, r.sales, r.co_led) == (Decimal("0"), 1, 1)
    c = m[cloud.organisation.pk]
    assert (c.gross_invoiced, c.sales, c.late_involvement, c.partner_owned) == (
        Decimal("10000.00"),
        1,
        1,
        0,
    )


def test_history_rows_are_the_services_rows(world):
    distributor, reseller, _, written = world
    assert (written["orders"], written["deals"], written["credit_notes"]) == (16, 6, 2)
    with system_context("command:seed_demo"):
        orders = Order.objects.filter(organisation=distributor.organisation)
        assert orders.filter(space="personal").get().lines.get().licence.kind == Licence.Kind.NFR
        renewal = orders.get(kind="renewal")
        renewed = renewal.lines.get().licence
        assert renewed.ends_on == D(2027, 9, 14)  # a year from the first term's end
        assert renewed.order_lines.count() == 2
        # deals won by the sales they led to, numbered in their year
        assert Deal.objects.filter(status="won", organisation=distributor.organisation).count() == 4
        assert all(o.deal.engagement_model == o.engagement_model for o in orders.exclude(deal=None))
        two_tier = Order.objects.get(organisation=reseller.organisation)
        assert two_tier.invoices.get().organisation_id == distributor.organisation.pk
        euro = Invoice.objects.get(order__currency="EUR")
        assert (euro.usd_rate, euro.gross_usd, euro.issued_on) == (
            Decimal("1.170000"),
            Decimal("3510.00"),
            D(2026, 8, 20),
        )
        assert orders.get(created_at__date=D(2026, 8, 20)).created_at.date() == euro.issued_on
        assert Claim.objects.get().status == Claim.Status.APPROVED
        assert PointsEntry.objects.filter(kind="claim").get().claim is not None
        webinar = Session.objects.get(title="Partner webinar, February 2026")
        assert webinar.seats_taken == 2


def test_numbers_continue_after_the_history(world):
    # The counters were advanced: the next real documents take the following numbers.
    with system_context("command:seed_demo"):
        last_2026 = max(
            Invoice.objects.filter(series="INV", year=2026).values_list("number", flat=True)
        )
        last_order = max(
            int(r.rsplit("-", 1)[1])
            for r in Order.objects.filter(reference__startswith="SO-2026-").values_list(
                "reference", flat=True
            )
        )
        from django.db import transaction

        with transaction.atomic():
            assert invoice_number_next(series="INV", year=2026) == last_2026 + 1
            assert next_reference(year=2026, prefix="SO") == f"SO-2026-{last_order + 1:06d}"
