"""A quote follows the first-sale rule as an order does (SPEC §3.5, the Xen Orchestra
seed): a partner's first customer sale is at list price with its discount credited,
whether the partner orders directly or converts a quote. A quote priced as the first sale
is refused once another sale has become the first one (the partner makes a new quote, at
its discount); a quote never spends the balance (the order placed directly does)."""

from __future__ import annotations

from decimal import Decimal

import pytest

from billing.models import CreditEntry, Order
from billing.services.orders import order_place
from billing.services.pricing import FIRST_SALE_RULE
from billing.services.quotes import quote_convert, quote_create
from portal.errors import Conflict
from tests.billing.credit_support import xo_order_body
from tests.tenancy_support import observer

pytestmark = pytest.mark.django_db

D = Decimal


def quote(tenant, product="xoa-starter"):
    body = xo_order_body(product)
    body.pop("space")
    with observer():
        return quote_create(
            organisation=tenant.organisation, actor=tenant.admin, role="admin", data=body
        )


def convert(tenant, made):
    with observer():
        return quote_convert(quote=made, actor=tenant.admin, role="admin").order


def place(tenant, product="xoa-starter") -> Order:
    with observer():
        return order_place(
            organisation=tenant.organisation,
            actor=tenant.admin,
            role="admin",
            data=xo_order_body(product),
        ).order


def earned(tenant) -> list[tuple]:
    with observer():
        return list(
            CreditEntry.objects.filter(organisation=tenant.organisation)
            .order_by("created_at")
            .values_list("kind", "amount", "order__reference")
        )


def test_a_first_sale_quoted_then_ordered_is_at_list_price_and_earns_the_credit(xo_partner):
    # Given a Xen Orchestra reseller (20%) that has sold nothing yet
    reseller = xo_partner()

    # When it quotes Starter ($1,500 a year) and converts the quote
    made = quote(reseller)
    line = made.lines.get()

    # Then the quote is at list price, saying why, as the order is
    assert (made.list_amount, made.partner_discount, made.net_amount) == (
        D("1500.00"),
        D("0.00"),
        D("1500.00"),
    )
    assert line.discount_rule == FIRST_SALE_RULE
    assert line.credited_discount == D("300.00")
    assert made.credited_discount == D("300.00")
    page = reseller.browser().get(f"/space/quotes/{made.pk}/").content.decode()
    assert "your discount of <strong>300.00 USD</strong> is credited" in page
    order = convert(reseller, made)
    assert (order.partner_discount, order.net_amount) == (D("0.00"), D("1500.00"))
    assert order.lines.get().discount_rule == FIRST_SALE_RULE
    # ...and the 20% it would have had is credited, once
    assert earned(reseller) == [(CreditEntry.Kind.EARNED, D("300.00"), order.reference)]


def test_a_first_sale_quote_is_refused_once_another_sale_came_first(xo_partner):
    # Given a first-sale quote, then an order placed directly (the first sale)
    reseller = xo_partner()
    made = quote(reseller)
    first = place(reseller)
    before = earned(reseller)
    with observer():
        orders = Order.objects.filter(organisation=reseller.organisation).count()

    # When the partner converts the quote
    with pytest.raises(Conflict) as refused:
        convert(reseller, made)

    # Then it is refused, saying what to do, and nothing is written
    assert refused.value.code == "first_sale_quote_outdated"
    assert "make a new quote" in refused.value.message
    assert earned(reseller) == before
    assert before == [(CreditEntry.Kind.EARNED, D("300.00"), first.reference)]
    with observer():
        assert Order.objects.filter(organisation=reseller.organisation).count() == orders
        made.refresh_from_db()
    assert made.status != made.Status.ORDERED


def test_a_quote_after_the_first_sale_has_the_discount_and_leaves_the_balance(xo_partner):
    # Given a reseller whose first sale earned $300 of credit
    reseller = xo_partner()
    place(reseller)

    # When it quotes and converts a second sale
    made = quote(reseller)
    order = convert(reseller, made)

    # Then it has its standard 20% and the balance is neither spent nor earned again
    assert (made.partner_discount, made.net_amount, made.credit_applied) == (
        D("300.00"),
        D("1200.00"),
        D("0.00"),
    )
    assert made.lines.get().credited_discount == D("0.00")
    assert order.net_amount == D("1200.00")
    assert [kind for kind, _amount, _ref in earned(reseller)] == [CreditEntry.Kind.EARNED]


def test_the_quote_pages_preview_prices_as_the_quote_will_be(xo_partner):
    # Given a reseller whose first sale earned $300 of credit (an order spends it)
    from billing.services.preview import pricing_preview

    reseller = xo_partner()
    body = xo_order_body()
    with observer():
        first, _ = pricing_preview(organisation=reseller.organisation, data=body, for_quote=True)
    assert first.lines[0].discount_rule == FIRST_SALE_RULE
    place(reseller)

    with observer():
        as_order, _ = pricing_preview(organisation=reseller.organisation, data=body)
        as_quote, _ = pricing_preview(organisation=reseller.organisation, data=body, for_quote=True)

    # Then the order's preview spends the balance, the quote's does not (nor does the quote)
    assert as_order.credit_applied == D("300.00")
    assert as_quote.credit_applied == D("0.00")
    assert as_quote.net_amount == quote(reseller).net_amount == D("1200.00")
