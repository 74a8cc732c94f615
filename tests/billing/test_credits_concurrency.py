"""The first-sale balance under concurrency (SPEC §3.5): many sales at once spend it one
at a time under the partner's ledger lock; it never goes below zero, and what they spent
is exactly what was earned. Real PostgreSQL, one connection per thread.

Two races: 200 sales priced and spent at once by 20 workers, through the services an
order places them with (the credit read under the lock, the engine, the ledger); and 30
whole orders placed at once through ``order_place``."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from decimal import Decimal

import pytest
from django.db import connection, transaction
from django.db.models import Sum

from billing.models import CreditEntry, Order
from billing.selectors.credits import credit_available
from billing.services.credits import credit_sale_request, credit_spend
from billing.services.orders import order_place
from billing.services.pricing import price_sale
from billing.services.sale_input import sale_request_build
from tests.billing.conftest import make_partner
from tests.billing.credit_support import DE_VAT, load_xen_orchestra, xo_order_body
from tests.licensing.factories import PlanFactory, ProductFactory
from tests.tenancy_support import observer

WORKERS = 20
EARNED = Decimal("300.00")  # a first sale of Starter ($1,500) at 20%


def _reseller_with_credit(*, addon_price: str):
    """A Xen Orchestra reseller whose first sale earned $300, and an add-on product."""
    xo = load_xen_orchestra()
    reseller = make_partner(xo, type_code="reseller", country="DE", vat_number=DE_VAT)
    addon = ProductFactory(programme=xo, code="xoa-addon", name="Add-on", min_quantity=1)
    PlanFactory(product=addon, price=Decimal(addon_price))
    with observer():
        order_place(
            organisation=reseller.organisation, actor=None, role="admin", data=xo_order_body()
        )
        assert credit_available(organisation=reseller.organisation, currency="USD") == EARNED
    return reseller.organisation


def _race(work, count: int) -> list[Decimal]:
    """``work(n)`` for n in range(count), 20 at a time, the first 20 released together."""
    start = threading.Barrier(min(WORKERS, count))

    def run(n: int) -> Decimal:
        try:
            if n < WORKERS:
                start.wait(timeout=30)
            return work(n)
        finally:
            connection.close()

    with ThreadPoolExecutor(max_workers=WORKERS) as pool:
        return list(pool.map(run, range(count)))


def _ledger_totals(organisation) -> tuple[Decimal, Decimal]:
    ledger = CreditEntry.objects.filter(organisation=organisation)
    earned = ledger.filter(kind="earned").aggregate(total=Sum("amount"))["total"]
    spent = ledger.filter(kind="spent").aggregate(total=Sum("amount"))["total"]
    return earned, spent


@pytest.mark.django_db(transaction=True)
def test_200_sales_spending_at_once_never_take_the_balance_below_zero(vates_committed):
    # Given $300 of credit and a $10 add-on ($8 after 20%: the credit pays 37 and a half)
    organisation = _reseller_with_credit(addon_price="10.00")
    with observer():
        sale = sale_request_build(organisation=organisation, data=xo_order_body("xoa-addon"))

    # When 200 sales of it are priced and spent at once, as an order does: the balance
    # read under the ledger lock, the engine applying it, the ledger written
    def spend(n: int) -> Decimal:
        with observer(), transaction.atomic():
            pricing = price_sale(credit_sale_request(sale=sale, lock=True))
            if pricing.balance_credit:
                credit_spend(
                    organisation=organisation,
                    amount=pricing.balance_credit,
                    currency=pricing.currency,
                    actor=None,
                )
            return pricing.balance_credit

    applied = _race(spend, 200)

    # Then they applied $300 in all, never more: 37 whole add-ons, one half, then nothing
    assert sum(applied) == EARNED
    assert sorted(applied, reverse=True)[:39] == [Decimal("8.00")] * 37 + [
        Decimal("4.00"),
        Decimal("0.00"),
    ]
    with observer():
        assert _ledger_totals(organisation) == (EARNED, EARNED)
        assert credit_available(organisation=organisation, currency="USD") == 0


@pytest.mark.django_db(transaction=True)
def test_30_orders_placed_at_once_spend_the_balance_once(vates_committed):
    # Given $300 of credit and a $50 add-on ($40 after 20%: the credit pays 7 and a half)
    organisation = _reseller_with_credit(addon_price="50.00")

    # When 30 orders of it are placed at once
    def place(n: int) -> Decimal:
        order = order_place(
            organisation=organisation,
            actor=None,
            role="admin",
            data=xo_order_body("xoa-addon", customer_name=f"Customer {n}"),
        ).order
        return order.credit_applied

    applied = _race(place, 30)

    # Then every order was placed, and together they applied the $300 once
    assert sum(applied) == EARNED
    assert sorted(applied, reverse=True)[:9] == [Decimal("40.00")] * 7 + [
        Decimal("20.00"),
        Decimal("0.00"),
    ]
    with observer():
        assert Order.objects.filter(organisation=organisation).count() == 31
        assert _ledger_totals(organisation) == (EARNED, EARNED)
        spent_on_orders = Order.objects.filter(organisation=organisation).aggregate(
            total=Sum("credit_applied")
        )["total"]
        assert spent_on_orders == EARNED
