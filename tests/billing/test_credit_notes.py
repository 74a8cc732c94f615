"""Credit notes (SPEC §3.10): an issued invoice is corrected only by a credit note, in its
own series, to the same party with the same identity and tax, never beyond what is left
of the invoice; issued by the channel team with the permission to."""

from __future__ import annotations

import threading
from decimal import Decimal

import pytest
from django.contrib.auth.models import Permission
from django.db import connection

from billing.models import Invoice
from billing.money import ZERO
from billing.services.accounts import billing_account_update
from billing.services.credit_notes import credit_note_issue, invoice_uncredited
from billing.services.invoices import LineDraft
from portal.errors import DomainError, Forbidden
from tests.billing.conftest import make_partner
from tests.billing.factories import order_body
from tests.billing.licence_sale_support import DE_VAT, invoice_of, sell
from tests.factories import UserFactory
from tests.tenancy_support import observer

pytestmark = pytest.mark.django_db

D = Decimal


def channel_member():
    """A staff member with the permission (not a superuser)."""
    user = UserFactory(is_staff=True)
    user.user_permissions.add(Permission.objects.get(codename="issue_credit_notes"))
    return type(user).objects.get(pk=user.pk)  # permissions are cached per instance


def issue(invoice, **kwargs):
    kwargs.setdefault("actor", channel_member())
    kwargs.setdefault("reason", "Price corrected")
    with observer():
        return credit_note_issue(invoice=invoice, **kwargs)


def test_the_whole_invoice_is_credited_once(partner):
    # Given an invoice for Pro x 3 at 20% ($2,400 net, reverse charge)
    reseller = partner("reseller", tier=2, country="DE", vat_number=DE_VAT)
    sale, _ = sell(reseller)
    invoice = invoice_of(sale)

    # When the channel team credits it without an amount
    note = issue(invoice)

    # Then the credit note takes it all back, in its own series, to the same party
    assert (note.kind, note.purpose) == (Invoice.Kind.CREDIT_NOTE, Invoice.Purpose.CORRECTION)
    assert note.reference.startswith(f"CN-{note.year}-")
    assert note.credited_invoice == invoice
    assert (note.list_amount, note.partner_discount, note.net_amount, note.total) == (
        invoice.list_amount,
        invoice.partner_discount,
        invoice.net_amount,
        invoice.total,
    )
    assert (note.buyer_name, note.buyer_vat_number, note.tax_kind) == (
        invoice.buyer_name,
        invoice.buyer_vat_number,
        invoice.tax_kind,
    )
    with observer():
        assert invoice_uncredited(invoice) == ZERO
    # ...and nothing is left to credit
    with pytest.raises(DomainError) as refused:
        issue(invoice, amount=D("0.01"))
    assert refused.value.code == "fully_credited"


def test_an_amount_is_spread_over_the_lines_and_never_more_than_is_left(partner):
    # Given an invoice of two lines: Pro x 3 ($2,400 net) and Essential ($1,600 net)
    reseller = partner("reseller", tier=2, country="DE", vat_number=DE_VAT)
    with observer():
        from billing.services.orders import order_place

        sale = order_place(
            organisation=reseller.organisation,
            actor=None,
            role="admin",
            data=order_body(
                lines=[{"product": "pro", "quantity": 3}, {"product": "essential", "quantity": 2}]
            ),
        ).order
    invoice = invoice_of(sale)
    assert invoice.net_amount == D("4000.00")

    # When $1,000.01 is credited
    note = issue(invoice, amount=D("1000.01"))

    # Then each line gives back its share, exactly $1,000.01 in all, gross in proportion
    with observer():
        lines = list(note.lines.order_by("position"))
    assert note.net_amount == D("1000.01")
    assert [line.product_code for line in lines] == ["pro", "essential"]
    assert [line.net_amount for line in lines] == [D("600.01"), D("400.00")]  # cents: the last
    assert note.gross_amount == D("1250.01")
    # ...and more than the $2,999.99 left is refused, nothing written
    with pytest.raises(DomainError) as refused:
        issue(invoice, amount=D("3000.00"))
    assert refused.value.code == "more_than_left"
    assert refused.value.field == "amount"
    with pytest.raises(DomainError):
        issue(invoice, amount=D("-5"))
    with observer():
        assert invoice.credit_notes.count() == 1


def test_lines_of_its_own(partner):
    reseller = partner("reseller", tier=2, country="DE", vat_number=DE_VAT)
    sale, _ = sell(reseller)
    line = LineDraft(
        product_code="pro",
        description="Setup fee refunded",
        quantity=D("1"),
        unit_price=D("150.00"),
        list_amount=D("150.00"),
        charity_discount=ZERO,
        partner_discount_percent=ZERO,
        partner_discount=ZERO,
    )
    note = issue(invoice_of(sale), lines=[line])
    assert note.net_amount == D("150.00")
    big = LineDraft(**{**line.__dict__, "list_amount": D("9999.00")})
    with pytest.raises(DomainError, match="left to credit"):
        issue(invoice_of(sale), lines=[big])


def test_a_credit_note_keeps_the_invoices_identity_and_tax(partner):
    # Given a German reseller invoiced without a VAT number (the vendor's 20%)
    reseller = partner("reseller", tier=2, country="DE")
    sale, _ = sell(reseller)
    invoice = invoice_of(sale)
    assert (invoice.tax_kind, invoice.tax_rate) == ("eu_no_vat_number", D("20.00"))

    # When it later adds its VAT number and a new legal name, and the invoice is credited
    with observer():
        billing_account_update(
            organisation=reseller.organisation,
            actor=reseller.admin,
            role="admin",
            data={"legal_name": "Renamed GmbH", "country": "DE", "vat_number": DE_VAT},
        )
    note = issue(invoice, amount=D("100.00"))

    # Then the credit note corrects the invoice as issued: its buyer, its 20%
    assert note.buyer_name == invoice.buyer_name != "Renamed GmbH"
    assert (note.tax_kind, note.tax_rate, note.tax) == ("eu_no_vat_number", D("20.00"), D("20.00"))


def test_only_the_channel_team_with_the_permission_issues_them(partner):
    reseller = partner("reseller", tier=2, country="DE", vat_number=DE_VAT)
    sale, _ = sell(reseller)
    for actor in (reseller.admin, UserFactory(is_staff=True)):
        with pytest.raises(Forbidden):
            issue(invoice_of(sale), actor=actor)
    with pytest.raises(DomainError, match="why"):
        issue(invoice_of(sale), reason="  ")
    note = issue(invoice_of(sale), amount=D("10.00"))
    with pytest.raises(DomainError) as refused:
        issue(note)
    assert refused.value.code == "not_an_invoice"


@pytest.mark.django_db(transaction=True)
def test_two_credit_notes_at_once_never_take_more_than_the_invoice(vates_committed):
    # Given an invoice of $2,400 net
    reseller = make_partner(vates_committed, type_code="reseller", tier=2, vat_number=DE_VAT)
    sale, _ = sell(reseller)
    invoice = invoice_of(sale)
    actor = channel_member()
    racers = 5
    barrier = threading.Barrier(racers)
    outcomes: list[str] = []

    # When five credit notes of $1,500 each are issued at the same moment
    def run():
        try:
            barrier.wait(timeout=20)
            issue(invoice, actor=actor, amount=D("1500.00"))
            outcomes.append("issued")
        except DomainError as exc:
            outcomes.append(exc.code)
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(racers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    # Then one is issued and the others refused: the invoice is never over-credited
    assert sorted(outcomes) == ["issued"] + ["more_than_left"] * (racers - 1)
    with observer():
        assert invoice_uncredited(invoice) == D("900.00")
