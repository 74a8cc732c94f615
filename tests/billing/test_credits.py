"""The first-sale credit (SPEC §3.5, the Xen Orchestra seed): the first customer sale at
list price, its discount credited for 12 months, spent on later sales on top of the
standard discount, and what is left expiring with a ledger entry."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.db import DatabaseError, transaction
from django.utils import timezone

from billing.models import CreditEntry, Invoice, Order
from billing.selectors.credits import credit_available, credit_balances
from billing.services.credits import credits_expire
from billing.services.orders import order_place
from billing.services.pricing import FIRST_SALE_RULE
from licensing.services.licences import add_months
from tests.billing.credit_support import xo_order_body
from tests.tenancy_support import observer

pytestmark = pytest.mark.django_db

D = Decimal


def place(tenant, product="xoa-starter", **fields) -> Order:
    with observer():
        return order_place(
            organisation=tenant.organisation,
            actor=tenant.admin,
            role="admin",
            data=xo_order_body(product, **fields),
        ).order


def entries(tenant, kind=None):
    rows = CreditEntry.objects.filter(organisation=tenant.organisation).order_by("created_at")
    return list(rows.filter(kind=kind) if kind else rows)


def test_the_first_sale_is_at_list_price_and_its_discount_is_credited_for_12_months(
    xo_partner,
):
    # Given a Xen Orchestra reseller (20%) that has sold nothing yet
    reseller = xo_partner()

    # When it places its first customer order: Starter, $1,500 a year
    order = place(reseller)

    # Then it pays list price, and the 20% it would have had ($300) is credited
    assert (order.list_amount, order.partner_discount, order.net_amount) == (
        D("1500.00"),
        D("0.00"),
        D("1500.00"),
    )
    line = order.lines.get()
    assert line.discount_rule == FIRST_SALE_RULE
    assert line.partner_discount_percent == 0
    (earned,) = entries(reseller)
    today = timezone.localdate()
    assert (earned.kind, earned.amount, earned.currency, earned.order) == (
        CreditEntry.Kind.EARNED,
        D("300.00"),
        "USD",
        order,
    )
    assert earned.expires_on == add_months(today, 12)
    # ...and the invoice bills list price: the gross counts in full for the tiers
    invoice = Invoice.objects.get(order=order)
    assert (invoice.gross_amount, invoice.partner_discount, invoice.net_amount) == (
        D("1500.00"),
        D("0.00"),
        D("1500.00"),
    )
    assert [
        (b.currency, b.amount) for b in credit_balances(organisation=reseller.organisation)
    ] == [("USD", D("300.00"))]


def test_a_later_sale_spends_the_balance_on_top_of_the_standard_discount(xo_partner):
    # Given a reseller with $300 of first-sale credit
    reseller = xo_partner()
    place(reseller)

    # When it sells Enterprise ($4,150): 20% off, then the credit
    order = place(reseller, "xoa-enterprise")

    # Then the discount is the standard one and the whole balance is applied before tax
    assert order.partner_discount == D("830.00")
    assert order.credit_applied == D("300.00")
    assert order.net_amount == D("3020.00")
    (spent,) = entries(reseller, CreditEntry.Kind.SPENT)
    assert (spent.amount, spent.order, spent.source.kind) == (D("300.00"), order, "earned")
    assert credit_available(organisation=reseller.organisation, currency="USD") == 0
    # ...and its invoice shows the credit applied
    invoice = Invoice.objects.get(order=order)
    assert (invoice.partner_discount, invoice.credit_applied, invoice.net_amount) == (
        D("830.00"),
        D("300.00"),
        D("3020.00"),
    )
    # A third sale has no credit left: the standard discount only
    third = place(reseller)
    assert (third.partner_discount, third.credit_applied) == (D("300.00"), D("0.00"))


def test_a_sale_takes_only_what_it_costs_and_the_rest_stays(xo_partner):
    # Given a reseller whose first sale was Premium ($6,250: $1,250 credited)
    reseller = xo_partner()
    place(reseller, "xoa-premium")

    # When it sells Starter ($1,500 less 20%: $1,200)
    order = place(reseller)

    # Then the credit pays it all, and $50 stays for later
    assert (order.credit_applied, order.net_amount, order.total) == (
        D("1200.00"),
        D("0.00"),
        D("0.00"),
    )
    assert credit_available(organisation=reseller.organisation, currency="USD") == D("50.00")


def test_vates_has_no_first_sale_offer(partner):
    from tests.billing.factories import place_order

    reseller = partner("reseller", tier=2, country="DE", vat_number="DE136695976")
    order = place_order(reseller.organisation)
    assert order.partner_discount == D("600.00")
    assert not CreditEntry.objects.filter(organisation=reseller.organisation).exists()


@pytest.mark.parametrize(
    "fields", [{"space": "personal"}, {"billing_period": "monthly"}], ids=["personal", "monthly"]
)
def test_personal_and_monthly_sales_neither_earn_nor_spend(xo_partner, fields):
    # Given a reseller with credit
    reseller = xo_partner()
    place(reseller)

    # When it buys for its own use, or sells a monthly subscription
    order = place(reseller, **fields)

    # Then nothing is spent (and the first sale was the first customer sale)
    assert order.credit_applied == 0
    assert [entry.kind for entry in entries(reseller)] == ["earned"]


def test_a_personal_purchase_is_not_the_first_sale(xo_partner):
    reseller = xo_partner()
    place(reseller, space="personal")
    first = place(reseller)
    assert first.partner_discount == 0
    assert [entry.kind for entry in entries(reseller)] == ["earned"]


def test_credit_expires_after_12_months_with_a_ledger_entry(xo_partner):
    # Given $300 earned today and $100 of it spent (a sale of $1,200 less... a part)
    reseller = xo_partner()
    place(reseller)
    (earned,) = entries(reseller)
    with observer(), transaction.atomic():
        CreditEntry.objects.create(
            organisation=reseller.organisation,
            kind=CreditEntry.Kind.SPENT,
            amount=D("100.00"),
            currency="USD",
            source=earned,
        )

    # When the daily job runs the day before it expires, then on the day
    day_before = earned.expires_on - datetime.timedelta(days=1)
    with observer():
        assert credits_expire(today=day_before) == 0
        assert credit_available(
            organisation=reseller.organisation, currency="USD", today=day_before
        ) == D("200.00")
        assert credits_expire(today=earned.expires_on) == 1

    # Then the $200 left leaves the balance with an "expired" entry naming its source
    (expired,) = entries(reseller, CreditEntry.Kind.EXPIRED)
    assert (expired.amount, expired.source) == (D("200.00"), earned)
    assert (
        credit_available(
            organisation=reseller.organisation, currency="USD", today=earned.expires_on
        )
        == 0
    )
    # ...and running again (or a day later) expires nothing twice
    with observer():
        assert credits_expire(today=earned.expires_on) == 0
        assert credits_expire(today=earned.expires_on + datetime.timedelta(days=1)) == 0
    assert len(entries(reseller, CreditEntry.Kind.EXPIRED)) == 1


def test_the_ledger_is_append_only_in_the_database(xo_partner):
    reseller = xo_partner()
    place(reseller)
    (earned,) = entries(reseller)
    with pytest.raises(DatabaseError, match="Cannot update or delete"), transaction.atomic():
        CreditEntry.objects.filter(pk=earned.pk).update(amount=D("999.00"))
    with pytest.raises(DatabaseError, match="Cannot update or delete"), transaction.atomic():
        CreditEntry.objects.filter(pk=earned.pk).delete()


def test_the_preview_shows_the_first_sale_and_then_the_balance(xo_partner):
    reseller = xo_partner()
    client = reseller.api()
    body = {"product": "xoa-starter", "quantity": 1, "customer_country": "DE"}

    first = client.post("/api/v1/pricing/preview", body, format="json").json()
    assert (first["partner_discount"], first["net_amount"]) == ("0.00", "1500.00")
    assert first["discount_rule"] == FIRST_SALE_RULE
    assert any("credited to your balance" in note for note in first["notes"])

    place(reseller)
    later = client.post("/api/v1/pricing/preview", body, format="json").json()
    assert (later["partner_discount"], later["credit_applied"]) == ("300.00", "300.00")
    assert later["net_amount"] == "900.00"


@pytest.mark.django_db(transaction=True)
def test_orders_through_the_api_earn_and_spend_in_the_partners_own_context(xo_committed):
    # Given a Xen Orchestra reseller calling the API (its own tenant context, the
    # application role: row-level security applies to the ledger)
    from tests.billing.conftest import make_partner
    from tests.billing.credit_support import DE_VAT

    reseller = make_partner(xo_committed, type_code="reseller", country="DE", vat_number=DE_VAT)
    api = reseller.api()

    first = api.post("/api/v1/orders", xo_order_body(), format="json")
    later = api.post("/api/v1/orders", xo_order_body("xoa-enterprise"), format="json")

    assert first.status_code == later.status_code == 201, (first.json(), later.json())
    assert (first.json()["partner_discount"], first.json()["net_amount"]) == ("0.00", "1500.00")
    assert later.json()["credit_applied"] == "300.00"
    balance = api.get("/api/v1/credits").json()
    assert [entry["kind"] for entry in balance["results"]] == ["spent", "earned"]
    assert balance["balances"] == []
