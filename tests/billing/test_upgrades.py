"""Upgrades (SPEC §3.5): a customer's yearly licence moves to a bigger plan from today for
a full term; the unused remaining time of the current one, prorated by days, becomes a
credit note against the invoice that billed it, applied to the upgrade."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest

from billing.models import Invoice, Order
from billing.money import quantize_price
from billing.services.credit_notes import credit_note_issue
from billing.services.upgrades import licence_upgrade, upgrade_prepare
from licensing.models import Licence, LicenceEvent
from licensing.services.licences import add_months, term_days
from portal.errors import DomainError, NotFound
from tests.billing.licence_sale_support import (
    DE_VAT,
    FR_VAT,
    credit_notes_of,
    invoice_of,
    sell,
)
from tests.factories import UserFactory
from tests.tenancy_support import observer

pytestmark = pytest.mark.django_db

D = Decimal


def upgrade(tenant, licence, *, product="pro", quantity=5, today=None, **kwargs) -> Order:
    with observer():
        return licence_upgrade(
            organisation=tenant.organisation,
            actor=tenant.admin,
            role="admin",
            licence_id=licence.pk,
            product=product,
            quantity=quantity,
            today=today,
            **kwargs,
        ).order


def prepare(tenant, licence, *, product="pro", quantity=5, today=None):
    with observer():
        licence = Licence.objects.get(pk=licence.pk)
        return upgrade_prepare(
            organisation=tenant.organisation,
            licence=licence,
            product=product,
            quantity=quantity,
            today=today,
        )


def test_the_upgrade_credit_is_the_unused_days_of_what_was_paid(partner):
    """The worked example: Pro x 3 sold yearly by a tier-3 reseller (30%): $3,000 list,
    $900 discount, $2,100 paid. Upgraded to Pro x 5 after 100 days of a 365-day term, 265
    days are unused: the credit note takes back 265/365 of the line, each amount rounded:
    list $2,178.08, discount $653.42, net $1,524.66 (= $2,100 x 265 / 365). Pro x 5 costs
    $5,000 less 30% = $3,500; less the credit, $1,975.34 (reverse charge: no VAT)."""
    # Given the sale
    reseller = partner("reseller", tier=3, country="DE", vat_number=DE_VAT)
    sale, licence = sell(reseller, "pro", 3)
    first_invoice = invoice_of(sale)
    assert (sale.partner_discount, sale.net_amount) == (D("900.00"), D("2100.00"))
    term = term_days(first_invoice.period_start, first_invoice.period_end)
    day = licence.starts_on + datetime.timedelta(days=100)
    unused = term - 100
    expected = quantize_price(D("3000") * unused / term) - quantize_price(D("900") * unused / term)
    if term == 365:  # the worked example's year (a leap day in the term makes it 366)
        assert expected == D("1524.66")

    # When the preview is asked, then the upgrade placed, 100 days in
    plan = prepare(reseller, licence, today=day)
    order = upgrade(reseller, licence, today=day)

    # Then the preview and the order show the credit, applied before tax
    assert plan.credit == expected
    assert plan.pricing.upgrade_credit == expected
    assert order.kind == Order.Kind.UPGRADE
    assert (order.list_amount, order.partner_discount) == (D("5000.00"), D("1500.00"))
    assert (order.upgrade_credit, order.credit_applied) == (expected, expected)
    assert order.net_amount == D("3500.00") - expected
    assert order.tax == 0
    # ...the credit note takes back the unused days of the first invoice, line by line
    (note,) = credit_notes_of(order)
    assert note.credited_invoice == first_invoice
    assert (note.kind, note.purpose) == (Invoice.Kind.CREDIT_NOTE, Invoice.Purpose.UPGRADE)
    assert note.reference.startswith("CN-")
    assert note.net_amount == expected
    assert note.gross_amount == quantize_price(D("3000") * unused / term)
    assert f"{unused} of {term} days" in note.lines.get().description
    # ...the upgrade's invoice bills Pro x 5 in full, to be paid less the credit note
    upgrade_invoice = invoice_of(order)
    assert upgrade_invoice.purpose == Invoice.Purpose.UPGRADE
    assert (upgrade_invoice.net_amount, upgrade_invoice.credit_applied) == (D("3500.00"), 0)
    assert upgrade_invoice.period_start == day
    assert upgrade_invoice.total - note.total == order.total
    # ...and the licence is upgraded in place: the new plan from that day, a full term
    with observer():
        licence.refresh_from_db()
        assert (licence.product_code, licence.quantity) == ("pro", 5)
        assert licence.starts_on == day
        assert licence.ends_on == add_months(day, 12) - datetime.timedelta(days=1)
        assert licence.events.filter(kind=LicenceEvent.Kind.UPGRADED).count() == 1
        assert order.lines.get().licence_id == licence.pk


def test_domestic_vat_the_order_is_exactly_the_invoice_less_the_credit_note(partner):
    # Given a French reseller (domestic VAT, 20%) that sold Essential ($2,000 at 10%)
    reseller = partner("reseller", tier=1, country="FR", vat_number=FR_VAT)
    sale, licence = sell(reseller, "essential", 3)
    assert sale.tax_kind == "domestic"

    # When it upgrades the customer to Essential+ 77 days in
    order = upgrade(
        reseller,
        licence,
        product="essential-plus",
        quantity=3,
        today=licence.starts_on + datetime.timedelta(days=77),
    )

    # Then what the order shows is to the cent what the partner pays: the upgrade's
    # invoice (Essential+ in full, with its VAT) less the credit note (with the VAT of
    # the invoice it credits)
    (note,) = credit_notes_of(order)
    upgrade_invoice = invoice_of(order)
    assert note.tax_rate == invoice_of(sale).tax_rate == D("20.00")
    assert order.tax > 0
    assert upgrade_invoice.total - note.total == order.total
    assert upgrade_invoice.tax - note.tax == order.tax


def test_an_upgrade_to_a_plan_priced_in_euros_converts_the_credit(partner):
    # Given Essential ($2,000 at 20%: $1,600 paid) sold by a tier-2 reseller
    reseller = partner("reseller", tier=2, country="DE", vat_number=DE_VAT)
    _sale, licence = sell(reseller, "essential", 3)
    day = licence.starts_on + datetime.timedelta(days=10)

    # When it is upgraded to Enterprise x 4 (EUR 1,800 a host) 10 days in
    order = upgrade(reseller, licence, product="enterprise", quantity=4, today=day)

    # Then the credit note is in dollars, against the dollar invoice, and the order
    # applies it in euros at the rates in force (1 EUR = 1.17 USD)
    (note,) = credit_notes_of(order)
    assert (note.currency, order.currency) == ("USD", "EUR")
    assert order.upgrade_credit == quantize_price(note.net_amount / D("1.17"))
    assert order.net_amount == D("7200.00") - D("1440.00") - order.upgrade_credit


def test_never_more_than_paid_nor_than_is_left_uncredited(partner, django_user_model):
    # Given Pro x 3 (net $2,100) of which the channel team already credited $2,000
    reseller = partner("reseller", tier=3, country="DE", vat_number=DE_VAT)
    sale, licence = sell(reseller, "pro", 3)
    staff = UserFactory(is_superuser=True, is_staff=True)
    with observer():
        credit_note_issue(
            actor=staff, invoice=invoice_of(sale), reason="Goodwill", amount=D("2000.00")
        )

    # When the licence is upgraded on its first day (its whole term unused)
    order = upgrade(reseller, licence, quantity=4, today=licence.starts_on)

    # Then only the $100 left is credited
    (note,) = credit_notes_of(order)
    assert note.net_amount == D("100.00")
    assert order.upgrade_credit == D("100.00")

    # ...and upgrading again the same day credits the upgrade's own invoice, in full (its
    # term is wholly unused), never the first invoice again
    again = upgrade(reseller, licence, quantity=6, today=licence.starts_on)
    (second,) = credit_notes_of(again)
    assert second.credited_invoice == invoice_of(order)
    assert second.net_amount == invoice_of(order).net_amount == D("2800.00")
    assert again.upgrade_credit == D("2800.00")


@pytest.mark.parametrize(
    ("product", "quantity", "code"),
    [
        ("pro", 5, "not_an_upgrade"),  # the same plan
        ("pro", 4, "not_an_upgrade"),  # fewer hosts
        ("pro", 2, "quantity_below_minimum"),  # below Pro's minimum of 3 hosts
        ("essential-plus", 3, "not_an_upgrade"),  # $4,000 a year: less than Pro x 5
        ("nonesuch", 3, "unknown_product"),
    ],
)
def test_an_upgrade_is_to_a_bigger_plan(partner, product, quantity, code):
    reseller = partner("reseller", tier=1, country="DE", vat_number=DE_VAT)
    _sale, licence = sell(reseller, "pro", 5)  # $5,000 a year
    with pytest.raises(DomainError) as refused:
        prepare(reseller, licence, product=product, quantity=quantity)
    assert refused.value.code == code
    with observer():
        assert not Order.objects.filter(kind=Order.Kind.UPGRADE).exists()


def test_only_the_partners_own_running_yearly_customer_licences_are_upgraded(partner):
    reseller = partner("reseller", tier=1, country="DE", vat_number=DE_VAT)
    other = partner("reseller", tier=1, country="DE", vat_number=DE_VAT)
    _sale, licence = sell(reseller, "pro", 3)
    with pytest.raises(NotFound):
        upgrade(other, licence)
    _sale, monthly = sell(reseller, "pro", 3, billing_period="monthly")
    with pytest.raises(DomainError, match="monthly"):
        upgrade(reseller, monthly)
    _sale, own_use = sell(reseller, "pro", 3, space="personal")
    with pytest.raises(DomainError, match="sold to a customer"):
        upgrade(reseller, own_use)
    with pytest.raises(DomainError, match="ended"):
        upgrade(reseller, licence, today=licence.ends_on + datetime.timedelta(days=1))
    with observer():
        assert not Order.objects.filter(kind=Order.Kind.UPGRADE).exists()


def test_a_resellers_upgrade_credits_its_distributors_invoice_at_the_distributors_price(
    partner,
):
    # Given Pro x 3 sold by a reseller through its distributor: the vendor invoiced the
    # distributor $2,700 (10%, late involvement); the reseller pays its distributor $3,000
    distributor = partner("distributor", tier=2, country="DE", vat_number=DE_VAT)
    reseller = partner(
        "reseller", tier=1, country="DE", vat_number=DE_VAT, distributor=distributor.organisation
    )
    sale, licence = sell(reseller, "pro", 3)
    assert (sale.net_amount, sale.distributor_net) == (D("3000.00"), D("2700.00"))
    first_invoice = invoice_of(sale)
    assert first_invoice.organisation_id == distributor.organisation.pk
    term = term_days(first_invoice.period_start, first_invoice.period_end)
    day = licence.starts_on + datetime.timedelta(days=100)
    fraction = D(term - 100) / D(term)

    # When the reseller upgrades it to Pro x 5, 100 days in
    order = upgrade(reseller, licence, today=day)

    # Then the vendor credits the distributor's invoice for the unused days at the
    # distributor's price, and the reseller's order applies what it paid for them
    (note,) = credit_notes_of(order)
    assert note.organisation_id == distributor.organisation.pk
    assert note.credited_invoice == first_invoice
    assert note.net_amount == quantize_price(D("3000") * fraction) - quantize_price(
        D("300") * fraction
    )
    assert order.upgrade_credit == quantize_price(D("3000") * fraction)
    assert order.net_amount == D("5000.00") - order.upgrade_credit
    # ...and the distributor is invoiced the new plan at its price, in full
    upgrade_invoice = invoice_of(order)
    assert upgrade_invoice.organisation_id == distributor.organisation.pk
    assert (upgrade_invoice.net_amount, upgrade_invoice.credit_applied) == (D("4500.00"), 0)


def test_an_upgrade_counts_as_a_customer_sale_3_months_after_the_previous_sale(partner):
    from billing.selectors.sales import counts_as_customer_sale

    reseller = partner("reseller", tier=1, country="DE", vat_number=DE_VAT)
    sale, licence = sell(reseller, "pro", 3)
    order = upgrade(reseller, licence)
    with observer():
        assert counts_as_customer_sale(sale)
        assert not counts_as_customer_sale(order)  # the same day as the sale it upgrades
        Order.objects.filter(pk=sale.pk).update(
            created_at=order.created_at - datetime.timedelta(days=93)
        )
        assert counts_as_customer_sale(order)
        own_use, _licence = sell(reseller, "pro", 3, space="personal")
        assert not counts_as_customer_sale(own_use)


def test_the_upgrades_invoice_asks_for_its_total_less_the_credit_note(partner):
    from facturx import get_xml_from_pdf
    from lxml import etree

    from billing.invoice_documents import invoice_pdf
    from billing.models import InvoicePayment
    from billing.selectors.invoices import credit_notes_applied, invoice_amount_due
    from billing.services.payments import invoice_mark_paid
    from tests.factories import staff_user

    reseller = partner("reseller", tier=1, country="FR", vat_number=FR_VAT)
    sale, licence = sell(reseller, "essential", 3)
    order = upgrade(
        reseller,
        licence,
        product="essential-plus",
        quantity=3,
        today=licence.starts_on + datetime.timedelta(days=77),
    )
    (note,) = credit_notes_of(order)
    upgrade_invoice = invoice_of(order)
    with observer():
        assert list(credit_notes_applied(upgrade_invoice)) == [note]
        # The credit note credits the sale's invoice, but is applied to the upgrade's.
        assert list(credit_notes_applied(invoice_of(sale))) == []
        due = invoice_amount_due(upgrade_invoice)
        assert due == upgrade_invoice.total - note.total == order.total
        pdf = invoice_pdf(Invoice.objects.get(pk=upgrade_invoice.pk))
    _, xml = get_xml_from_pdf(pdf, check_xsd=True)
    summation = etree.fromstring(xml).find(".//{*}SpecifiedTradeSettlementHeaderMonetarySummation")
    assert summation.find("{*}TotalPrepaidAmount").text == f"{note.total:.2f}"
    assert summation.find("{*}DuePayableAmount").text == f"{due:.2f}"

    page = reseller.browser().get(f"/space/invoices/{upgrade_invoice.pk}/").content.decode()
    assert "Less credit note" in page
    assert note.reference in page
    assert f'id="amount-due">{due:,.2f}' in page

    with observer():
        invoice_mark_paid(
            actor=staff_user("billing.review_payments"),
            invoice=Invoice.objects.get(pk=upgrade_invoice.pk),
            paid_on=upgrade_invoice.issued_on,
        )
        assert InvoicePayment.objects.get(invoice=upgrade_invoice).amount == due
