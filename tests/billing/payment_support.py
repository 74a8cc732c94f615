"""Invoices to pay and proofs to pay them with: real files of each kind (made with Pillow),
files that only pretend, and the channel-team accounts that decide."""

from __future__ import annotations

import datetime
import io
import struct
import zlib
from decimal import Decimal

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from PIL import Image

from billing.models import Invoice, Order, PaymentProof
from billing.services.invoices import LineDraft, buyer_of, invoice_issue
from billing.services.payments import invoice_mark_paid, payment_proof_upload
from portal.tenancy.context import tenant_context
from tests.billing.factories import place_order
from tests.factories import staff_user
from tests.tenancy_support import observer

REVIEWER_PERMISSIONS = (
    "billing.review_payments",
    "billing.view_paymentproof",
    "billing.view_invoicepayment",
)

PDF = (
    b"%PDF-1.4\n1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj\n"
    b"2 0 obj << /Type /Pages /Kids [] /Count 0 >> endobj\n"
    b"trailer << /Root 1 0 R >>\n%%EOF\n"
)
#: A Windows executable's first bytes ("MZ"), whatever it is called.
EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + b"\x00" * 200


def image_bytes(fmt: str = "PNG", size: tuple[int, int] = (40, 30)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, (20, 120, 200)).save(buffer, format=fmt)
    return buffer.getvalue()


def png_claiming(width: int, height: int) -> bytes:
    """A tiny PNG whose header claims ``width`` x ``height`` pixels (a decompression bomb:
    its compressed rows would decode to gigabytes)."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        crc = zlib.crc32(kind + data) & 0xFFFFFFFF
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", crc)

    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    rows = zlib.compress(b"\x00" * 1024, 9)
    return (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", rows) + chunk(b"IEND", b"")
    )


def upload(content: bytes, name: str = "transfer.pdf", content_type: str = "application/pdf"):
    """A file as a browser sends it: its name and declared type are the client's word."""
    return SimpleUploadedFile(name, content, content_type=content_type)


def invoice_of(order: Order) -> Invoice:
    with observer():
        return Invoice.objects.get(order=order, kind=Invoice.Kind.INVOICE)


def ordered_invoice(tenant, **fields) -> Invoice:
    """The invoice of an order ``tenant`` places for its own use (invoiced to itself)."""
    fields.setdefault("space", "personal")
    return invoice_of(place_order(tenant.organisation, **fields))


def issued_invoice(
    organisation,
    *,
    issued_on: datetime.date,
    kind=Invoice.Kind.INVOICE,
    credited: Invoice | None = None,
    total: str = "100.00",
) -> Invoice:
    """An invoice (or a credit note of ``credited``) issued to ``organisation`` on
    ``issued_on``, with no order: for due dates in the past. Its period starts on that day
    (an invoice of no order is unique by purpose and period: one a day)."""
    amount = Decimal(total)
    line = LineDraft(
        product_code="pro",
        description="Pro, one year",
        quantity=Decimal("1"),
        unit_price=amount,
        list_amount=amount,
        charity_discount=Decimal("0"),
        partner_discount_percent=Decimal("0"),
        partner_discount=Decimal("0"),
    )
    buyer = buyer_of(organisation)
    with tenant_context(organisation.pk):
        return invoice_issue(
            buyer=buyer,
            lines=[line],
            currency="USD",
            actor=None,
            kind=kind,
            purpose=Invoice.Purpose.CORRECTION if credited else Invoice.Purpose.ORDER,
            credited_invoice=credited,
            reason="Correction" if credited else "",
            period=(issued_on, issued_on + datetime.timedelta(days=364)),
            issued_on=issued_on,
        )


def reviewer(**fields):
    """A channel-team account that may review payments (and nothing else)."""
    return staff_user(*REVIEWER_PERMISSIONS, **fields)


def proof_for(tenant, invoice: Invoice, content: bytes = PDF, name: str = "transfer.pdf"):
    with tenant_context(tenant.organisation.pk):
        return payment_proof_upload(
            organisation=tenant.organisation,
            actor=tenant.admin,
            role="admin",
            invoice_id=invoice.pk,
            file=upload(content, name),
        )


def mark_paid(invoice: Invoice, *, actor=None, proof: PaymentProof | None = None, paid_on=None):
    return invoice_mark_paid(
        actor=actor or reviewer(),
        invoice=invoice,
        paid_on=paid_on or timezone.localdate(),
        proof=proof,
    )
