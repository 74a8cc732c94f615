"""The catalogue in words (licensing.selectors.catalogue): the one wording of entitlements,
quantity limits and prices that every page, email and the API use."""

from decimal import Decimal

import pytest

from licensing.models import Plan
from licensing.selectors.catalogue import (
    entitlement_lines,
    money,
    plan_price,
    quantity_limits,
    quantity_words,
)

ESSENTIAL = {
    "support_tickets_per_year": 6,
    "support_hours": "business_day",
    "critical_response_hours": 24,
    "hypervisor_licences_all_hosts": True,
    "management_appliances": 1,
    "complete_feature_access": False,
    "setup_assistance": False,
}
ENTERPRISE = {
    **ESSENTIAL,
    "support_tickets_per_year": None,
    "support_hours": "24x7",
    "critical_response_hours": 1,
    "complete_feature_access": True,
    "setup_assistance": True,
}


def test_entitlements_in_words():
    assert entitlement_lines(ESSENTIAL) == [
        "6 support tickets a year",
        "Business-day support",
        "24 h response time for critical issues",
        "XCP-ng hypervisor licences for all hosts",
        "1 management appliance",
    ]
    assert entitlement_lines(ENTERPRISE) == [
        "Unlimited support tickets",
        "24/7 support",
        "1 h response time for critical issues",
        "XCP-ng hypervisor licences for all hosts",
        "1 management appliance",
        "Complete feature access",
        "Setup and upgrade assistance",
    ]


def test_entitlements_without_support_or_keys():
    assert entitlement_lines({}) == ["No support included"]
    assert entitlement_lines({"support_hours": "", "management_appliances": 2}) == [
        "No support included",
        "2 management appliances",
    ]
    assert entitlement_lines({"support_hours": "business_day", "support_tickets_per_year": 1})[
        0
    ] == ("1 support ticket a year")


@pytest.mark.parametrize(
    ("low", "high", "noun", "words"),
    [
        (1, 3, "hosts", "up to 3 hosts"),
        (3, None, "hosts", "from 3 hosts"),
        (2, 5, "users", "2 to 5 users"),
        (1, 1, "appliances", "1 appliance"),
        (1, None, "hosts", ""),
    ],
)
def test_quantity_limits_in_words(low, high, noun, words):
    assert quantity_limits(min_quantity=low, max_quantity=high, noun=noun) == words


def test_quantities_and_prices_in_words():
    assert quantity_words(1, "hosts") == "1 host"
    assert quantity_words(4, "hosts") == "4 hosts"
    assert money(Decimal("2000.00"), "USD") == "$2,000"
    assert money(Decimal("1800.00"), "EUR") == "€1,800"
    assert money(Decimal("12.50"), "USD") == "$12.50"
    assert money(Decimal("1800"), "CHF") == "1,800 CHF"
    yearly = Plan(billing_period="yearly", currency="USD", price=Decimal("1000.00"))
    monthly = Plan(billing_period="monthly", currency="EUR", price=Decimal("150.00"))
    assert plan_price(yearly, unit="per_host", noun="hosts") == "$1,000 per host a year"
    assert plan_price(yearly, unit="flat", noun="hosts") == "$1,000 a year"
    assert plan_price(monthly, unit="per_user", noun="users") == "€150 per user a month"
