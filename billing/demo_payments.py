"""Demo payments (SPEC §5, issue 11: "paid and unpaid" invoices): Bluepeak's order for its
own use is paid by wire transfer, its proof accepted by the channel team; Cloud Nine's
invoice has a proof awaiting review (the admin's payment queue); the others are unpaid.
Through the same services as the partners and the channel team (``payment_proof_upload``,
``invoice_mark_paid``); the proofs are small PDFs of a bank's confirmation.

Idempotent: an invoice that is paid, or has a proof, is left as it is. Run after the demo
orders (billing.demo.seed_billing), in seed_demo's context."""

from __future__ import annotations

import io

from django.contrib.auth import get_user_model
from django.core.files.base import ContentFile
from django.utils import timezone
from PIL import Image, ImageDraw

from billing.models import IdempotencyKey, Invoice, InvoicePayment, PaymentProof
from billing.services.payments import invoice_mark_paid, payment_proof_upload
from partners import roles
from partners.models import Membership

#: The demo order (its Idempotency-Key slot) whose invoice gets a proof, and whether the
#: channel team has confirmed it.
PAYMENTS = [("bluepeak-own-use", True), ("cloudnine-front-range", False)]


def seed_payments(stdout) -> None:
    staff = get_user_model().objects.filter(email="staff@vendor.example").first()
    added = 0
    for slot, confirmed in PAYMENTS:
        invoice = _invoice(slot)
        if invoice is None or InvoicePayment.objects.filter(invoice=invoice).exists():
            continue
        proof = PaymentProof.objects.filter(invoice=invoice).first()
        if proof is None:
            proof = _upload(invoice)
            if proof is None:
                continue
            added += 1
        if confirmed and staff is not None:
            invoice_mark_paid(
                actor=staff, invoice=invoice, paid_on=timezone.localdate(), proof=proof
            )
    stdout.write(f"  billing: {added} demo payment proofs added")


def _invoice(slot: str) -> Invoice | None:
    key = IdempotencyKey.objects.filter(key=f"demo:{slot}").select_related("order").first()
    if key is None or key.order is None:
        return None
    return Invoice.objects.filter(order=key.order, kind=Invoice.Kind.INVOICE).first()


def _upload(invoice: Invoice) -> PaymentProof | None:
    membership = (
        Membership.objects.filter(organisation=invoice.organisation, role__in=roles.VIEW_INVOICES)
        .select_related("user")
        .order_by("created_at", "pk")
        .first()
    )
    if membership is None:
        return None
    return payment_proof_upload(
        organisation=invoice.organisation,
        actor=membership.user,
        role=membership.role,
        invoice_id=invoice.pk,
        file=ContentFile(_confirmation(invoice), name="bank-transfer-confirmation.pdf"),
        note="Transfer sent from our main account.",
    )


def _confirmation(invoice: Invoice) -> bytes:
    """A one-page PDF that reads like a bank's transfer confirmation."""
    page = Image.new("RGB", (1240, 800), "white")
    draw = ImageDraw.Draw(page)
    lines = [
        "Transfer confirmation",
        "",
        f"Ordering party: {invoice.buyer_name}",
        f"Amount: {invoice.total} {invoice.currency}",
        f"Reference: {invoice.payment_reference}",
        f"Executed on: {timezone.localdate():%d %B %Y}",
    ]
    for n, text in enumerate(lines):
        draw.text((80, 80 + n * 48), text, fill="black", font_size=32)
    buffer = io.BytesIO()
    page.save(buffer, format="PDF", resolution=150)
    return buffer.getvalue()
