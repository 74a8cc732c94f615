"""The channel team's invoices in the admin: read, never edited; corrected by credit note
and paid without a proof only by staff holding the permission, through the services."""

from __future__ import annotations

from decimal import Decimal

from django.test import Client

from billing.models import Invoice, InvoicePayment
from tests.billing.factories import place_order
from tests.factories import staff_user
from tests.tenancy_support import observer


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _invoice(partner) -> Invoice:
    buyer = partner("reseller", country="FR", vat_number="FR40303265045")
    order = place_order(buyer.organisation)
    with observer():
        return Invoice.objects.get(order=order)


def test_finance_credits_part_of_an_invoice_with_a_reason(partner):
    invoice = _invoice(partner)
    finance = _client(staff_user("billing.view_invoice", "billing.issue_credit_notes"))
    page = finance.get(f"/admin/billing/invoice/{invoice.pk}/change/").content.decode()
    assert "Issue a credit note" in page
    url = f"/admin/billing/invoice/{invoice.pk}/credit-note/"
    refused = finance.post(url, {"amount": "99999", "reason": "Too much", "confirm": "1"})
    assert refused.status_code == 200
    assert "left to credit" in refused.content.decode()
    done = finance.post(url, {"amount": "100.00", "reason": "Two hosts fewer", "confirm": "1"})
    assert done.status_code == 302
    with observer():
        note = Invoice.objects.get(credited_invoice=invoice)
    assert note.kind == "credit_note"
    assert note.reference.startswith("CN-")
    assert note.net_amount == Decimal("100.00")
    assert note.tax == Decimal("20.00")  # the invoice's French VAT
    assert note.reason == "Two hosts fewer"


def test_finance_records_a_payment_that_came_without_a_proof(partner):
    invoice = _invoice(partner)
    finance = _client(staff_user("billing.view_invoice", "billing.review_payments"))
    response = finance.post(
        f"/admin/billing/invoice/{invoice.pk}/mark-paid/",
        {"paid_on": invoice.issued_on.isoformat(), "confirm": "1"},
    )
    assert response.status_code == 302
    with observer():
        payment = InvoicePayment.objects.get(invoice=invoice)
    assert payment.amount == invoice.total
    assert payment.proof is None


def test_without_the_permission_there_is_no_button_and_no_decision(partner):
    invoice = _invoice(partner)
    reader = _client(staff_user("billing.view_invoice"))
    page = reader.get(f"/admin/billing/invoice/{invoice.pk}/change/").content.decode()
    assert "Issue a credit note" not in page
    assert "Mark invoice paid" not in page
    for action in ("credit-note", "mark-paid"):
        url = f"/admin/billing/invoice/{invoice.pk}/{action}/"
        assert reader.post(url, {"reason": "x", "paid_on": "2026-01-01"}).status_code == 403
    with observer():
        assert not Invoice.objects.filter(credited_invoice=invoice).exists()
        assert not InvoicePayment.objects.filter(invoice=invoice).exists()
