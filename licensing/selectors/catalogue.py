"""Reading the catalogue, and saying it in words (SPEC §3.5).

The wording of entitlements, quantity limits and prices lives here, once: the catalogue
page, the licence pages, the customer's redemption page, emails and the API's
``entitlement_lines`` all call these functions. They take plain values (a licence's copied
``entitlements`` dict, a product's limits), never a query, so a licence is always described
by what it carries, not by the catalogue as it is today.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Prefetch, QuerySet

from licensing.models import BillingPeriod, Plan, Product, SupportHours, Unit

# --- Words ------------------------------------------------------------------------------

_SUPPORT_HOURS = {
    SupportHours.BUSINESS_DAY: "Business-day support",
    SupportHours.ALWAYS: "24/7 support",
}

_CURRENCY_SYMBOLS = {"USD": "$", "EUR": "€", "GBP": "£"}

_PERIOD_WORDS = {BillingPeriod.MONTHLY: "a month", BillingPeriod.YEARLY: "a year"}


def _plural(count: int, singular: str, plural: str | None = None) -> str:
    return f"{count} {singular if count == 1 else (plural or singular + 's')}"


def singular_noun(noun: str) -> str:
    """ "hosts" → "host"; a noun that is not a plain plural stays as it is."""
    return noun[:-1] if noun.endswith("s") and not noun.endswith("ss") else noun


def support_lines(entitlements: dict) -> list[str]:
    """The support a plan or licence includes (SPEC §3.7: shown on redemption, kept by
    the customer): tickets, hours, critical response time."""
    hours = entitlements.get("support_hours") or ""
    if not hours:
        return ["No support included"]
    tickets = entitlements.get("support_tickets_per_year")
    lines = [
        "Unlimited support tickets"
        if tickets is None
        else f"{_plural(tickets, 'support ticket')} a year",
        _SUPPORT_HOURS.get(hours, f"Support: {hours}"),
    ]
    response = entitlements.get("critical_response_hours")
    if response is not None:
        lines.append(f"{response} h response time for critical issues")
    return lines


def feature_lines(entitlements: dict) -> list[str]:
    """What a plan or licence lets the customer use."""
    lines = []
    if entitlements.get("hypervisor_licences_all_hosts"):
        lines.append("XCP-ng hypervisor licences for all hosts")
    appliances = entitlements.get("management_appliances") or 0
    if appliances:
        lines.append(_plural(appliances, "management appliance"))
    if entitlements.get("complete_feature_access"):
        lines.append("Complete feature access")
    if entitlements.get("setup_assistance"):
        lines.append("Setup and upgrade assistance")
    return lines


def entitlement_lines(entitlements: dict) -> list[str]:
    """What a plan or licence carries, one plain sentence each, in a fixed order:
    support (tickets, hours, critical response time), then what the customer may use.
    ``entitlements`` is ``Product.entitlements()`` or a licence's copy of it; a key it
    lacks counts as not included. The one wording of entitlements: the catalogue, the
    licence pages, the admin and the customer's redemption page and emails use it."""
    return support_lines(entitlements) + feature_lines(entitlements)


def quantity_limits(*, min_quantity: int, max_quantity: int | None, noun: str) -> str:
    """A product's quantity limits in words: "up to 3 hosts", "from 3 hosts",
    "2 to 5 hosts", "1 appliance", or "" when any quantity goes."""
    noun = noun or "units"
    if max_quantity is not None:
        if max_quantity == min_quantity:
            return _plural(max_quantity, singular_noun(noun), noun)
        if min_quantity <= 1:
            return f"up to {max_quantity} {noun}"
        return f"{min_quantity} to {max_quantity} {noun}"
    if min_quantity > 1:
        return f"from {min_quantity} {noun}"
    return ""


def product_quantity_limits(product: Product) -> str:
    return quantity_limits(
        min_quantity=product.min_quantity,
        max_quantity=product.max_quantity,
        noun=product.quantity_noun,
    )


def quantity_words(quantity: int, noun: str) -> str:
    """A licence's quantity with its noun: "3 hosts", "1 host"."""
    return _plural(quantity, singular_noun(noun or "units"), noun or "units")


def money(amount: Decimal, currency: str) -> str:
    """An amount for people: "$2,000", "€1,800", "$12.50", "1,800 CHF"."""
    text = f"{amount:,.0f}" if amount == amount.to_integral_value() else f"{amount:,.2f}"
    symbol = _CURRENCY_SYMBOLS.get(currency)
    return f"{symbol}{text}" if symbol else f"{text} {currency}"


def plan_price(plan: Plan, *, unit: str, noun: str) -> str:
    """A plan's price per unit and period: "$2,000 a year", "$1,000 per host a year"."""
    per = "" if unit == Unit.FLAT else f" per {singular_noun(noun or 'units')}"
    period = _PERIOD_WORDS.get(plan.billing_period, plan.get_billing_period_display().lower())
    return f"{money(plan.price, plan.currency)}{per} {period}"


# --- Reads ------------------------------------------------------------------------------


def catalogue_for(*, organisation) -> QuerySet[Product]:
    """The active products of the organisation's programme, in the catalogue's order,
    each with its active plans prefetched (``active_plans``): two queries, whatever the
    size of the catalogue. Another programme's products are never part of it."""
    return (
        Product.objects.filter(programme_id=organisation.partner_type.programme_id, is_active=True)
        .prefetch_related(
            Prefetch(
                "plans",
                queryset=Plan.objects.filter(is_active=True).order_by("billing_period"),
                to_attr="active_plans",
            )
        )
        .order_by("position", "name", "code")
    )


@dataclass(frozen=True)
class ProductCard:
    """A product as the catalogue page shows it."""

    product: Product
    prices: list[str]  # one per active plan: "$1,000 per host a year"
    limits: str  # "from 3 hosts", or ""
    entitlements: list[str]


def product_cards(products) -> list[ProductCard]:
    """Cards for products from ``catalogue_for`` (no further queries)."""
    return [
        ProductCard(
            product=product,
            prices=[
                plan_price(plan, unit=product.unit, noun=product.quantity_noun)
                for plan in product.active_plans
            ],
            limits=product_quantity_limits(product),
            entitlements=entitlement_lines(product.entitlements()),
        )
        for product in products
    ]
