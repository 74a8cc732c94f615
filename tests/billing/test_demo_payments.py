"""seed_demo's payments (billing.demo_payments): one invoice paid by wire with its proof
accepted, one proof awaiting the channel team's review, the others unpaid; a second run
adds nothing."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command

from billing.demo_payments import seed_payments
from billing.models import Invoice, InvoicePayment, Order, PaymentProof
from portal.tenancy.context import system_context
from tests.tenancy_support import observer


@pytest.mark.django_db
def test_seed_payments_pays_one_invoice_and_queues_a_proof_once(settings, tmp_path):
    settings.PRIVATE_MEDIA_ROOT = tmp_path / "private"
    call_command("seed_demo", stdout=io.StringIO())
    for _ in range(2):
        with system_context("command:seed_demo"):
            seed_payments(io.StringIO())

    with observer():
        [payment] = InvoicePayment.objects.select_related("invoice__order", "proof")
        proofs = {p.invoice_id: p.status for p in PaymentProof.objects.all()}
        unpaid = Invoice.objects.filter(kind="invoice", payment__isnull=True).count()
        order = payment.invoice.order
    assert order.customer_name.startswith("Bluepeak")  # its own use
    assert order.status == Order.Status.PAID
    assert payment.proof.content_type == "application/pdf"
    assert payment.proof.file.read().startswith(b"%PDF-")
    assert sorted(proofs.values()) == ["accepted", "submitted"]
    assert unpaid >= 3
