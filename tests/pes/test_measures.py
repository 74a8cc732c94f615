"""What the evaluation measures (SPEC §3.4), on real orders, invoices, deals, points and
sessions: the seed's worked examples are the oracle."""

from __future__ import annotations

from decimal import Decimal

import pytest

from billing.selectors.sales import counts_as_customer_sale
from pes.measures import Period, measure
from pes.quarters import Quarter
from tests.billing.factories import place_order
from tests.billing.licence_sale_support import DE_VAT, sell
from tests.billing.test_upgrades import upgrade
from tests.licensing.factories import PlanFactory, ProductFactory
from tests.pes.support import (
    TODAY,
    attended,
    certified,
    level1_validated,
    placed_days_ago,
    points,
    sale,
    usd,
)
from tests.tenancy_support import observer

pytestmark = pytest.mark.django_db
THIS_QUARTER = Period.of_quarter(Quarter.containing(TODAY), until=TODAY)


def measured(organisation, period=THIS_QUARTER):
    with observer():
        return measure(period=period, organisation_ids=[organisation.pk])[organisation.pk]


def test_gross_invoiced_counts_list_before_the_partner_discount(partner):
    # The seed's example: a $1,000 order with a 30% discount counts $1,000 (paid $700).
    msp = partner("msp", tier=2, country="DE", vat_number=DE_VAT)  # MSP tier 2: 30%
    product = ProductFactory(
        programme=msp.organisation.partner_type.programme, code="one-host", min_quantity=1
    )
    PlanFactory(product=product)  # $1,000 a host, yearly
    order = place_order(msp.organisation, product=product, quantity=1)
    assert order.partner_discount == Decimal("300.00")
    assert order.net_amount == Decimal("700.00")
    assert measured(msp.organisation).gross_invoiced == usd("1000")


def test_internal_use_orders_never_count(partner):
    reseller = partner("reseller", tier=1, country="DE", vat_number=DE_VAT)
    sale(reseller, quantity=4)
    sell(reseller, "pro", 5, space="personal")  # NFR / internal use
    figures = measured(reseller.organisation)
    assert figures.gross_invoiced == usd("4000")
    assert figures.sales == 1


def test_an_upgrade_counts_only_three_months_after_the_previous_sale(partner):
    reseller = partner("reseller", tier=1, country="DE", vat_number=DE_VAT)
    first, licence = sell(reseller, "pro", 3)
    order = upgrade(reseller, licence)
    today_only = Period(start=TODAY, end=TODAY, trailing_start=TODAY)

    placed_days_ago(first, 61)  # two months before the upgrade: not a customer sale
    with observer():
        assert not counts_as_customer_sale(order)
    assert measured(reseller.organisation, today_only).sales == 0

    placed_days_ago(first, 93)  # three months and more: counted
    with observer():
        assert counts_as_customer_sale(order)
    assert measured(reseller.organisation, today_only).sales == 1


def test_the_quarters_deal_mix_by_engagement_model(partner):
    distributor = partner("distributor", tier=2, country="DE", vat_number=DE_VAT)
    sale(distributor, model="partner_owned")
    sale(distributor, model="partner_owned")
    sale(distributor, model="co_led_partner")
    sale(distributor, model="co_led_vendor")
    sale(distributor)  # no deal registration: late involvement
    figures = measured(distributor.organisation)
    assert (figures.sales, figures.partner_owned, figures.co_led, figures.late_involvement) == (
        5,
        2,
        2,
        1,
    )


def test_a_resellers_sale_counts_for_its_distributor_too(partner):
    distributor = partner("distributor", tier=2, country="DE", vat_number=DE_VAT)
    reseller = partner(
        "reseller", tier=1, country="DE", vat_number=DE_VAT, distributor=distributor.organisation
    )
    sale(reseller, quantity=4)
    assert measured(reseller.organisation).sales == 1
    figures = measured(distributor.organisation)
    assert figures.sales == 1
    # The distributor is the party invoiced, at its own price: its gross is the list.
    assert figures.gross_invoiced == usd("4000")
    assert measured(reseller.organisation).gross_invoiced == usd("0")


def test_points_sessions_certifications_and_support(partner):
    distributor = partner("distributor", tier=2, country="DE", vat_number=DE_VAT)
    organisation = distributor.organisation
    points(organisation, 70)
    points(organisation, 40, on=TODAY.replace(year=TODAY.year - 2))  # outside 12 months
    attended(distributor)
    certified(distributor)
    level1_validated(organisation)
    figures = measured(organisation)
    assert (figures.pes, figures.sessions) == (70, 1)
    assert (figures.certified_sales, figures.certified_technical) == (1, 1)
    assert figures.level1_support is True


def test_another_partners_figures_are_not_mixed_in(partner):
    alice = partner("reseller", tier=1, country="DE", vat_number=DE_VAT)
    bob = partner("reseller", tier=1, country="DE", vat_number=DE_VAT)
    sale(alice, quantity=3)
    points(alice.organisation, 12)
    with observer():
        both = measure(period=THIS_QUARTER)
    assert both[alice.organisation.pk].gross_invoiced == usd("3000")
    assert both[bob.organisation.pk].gross_invoiced == usd("0")
    assert both[bob.organisation.pk].pes == 0
