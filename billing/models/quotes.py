"""Quotes (SPEC §3.10, the Xen Orchestra seed): priced in the reseller space, valid until a
date, rendered to PDF by a Celery task. The partner's quote shows its discount and says it
is not for the customer; a customer-facing variant without the discount can be sent to the
customer to sign through a link. A valid quote converts into one order at its prices."""

import uuid
from decimal import Decimal

from django.db import models

from billing.models.priced import PricedDocument, PricedLine
from portal.storage import private_storage
from portal.tenancy.models import DistributorVisibleModel


class Quote(PricedDocument, DistributorVisibleModel):
    class Status(models.TextChoices):
        OPEN = "open", "Open"
        SENT = "sent", "Sent to the customer for signature"
        SIGNED = "signed", "Signed by the customer"
        ORDERED = "ordered", "Ordered"
        CANCELLED = "cancelled", "Cancelled"

    class PdfStatus(models.TextChoices):
        PENDING = "pending", "Being generated"
        READY = "ready", "Ready"
        FAILED = "failed", "Failed"

    status = models.CharField(max_length=12, choices=Status.choices, default=Status.OPEN)
    valid_until = models.DateField(help_text="The last day it can be ordered at these prices.")
    notes = models.TextField(blank=True)

    pdf_status = models.CharField(
        max_length=10, choices=PdfStatus.choices, default=PdfStatus.PENDING
    )
    pdf = models.FileField(upload_to="quotes/", storage=private_storage, blank=True)
    pdf_sha256 = models.CharField(max_length=64, blank=True)
    customer_pdf = models.FileField(upload_to="quotes/", storage=private_storage, blank=True)
    customer_pdf_sha256 = models.CharField(max_length=64, blank=True)

    # The customer's signature of the customer-facing quote (through a signed link).
    signature_token = models.UUIDField(null=True, blank=True, unique=True, editable=False)
    sent_at = models.DateTimeField(null=True, blank=True)
    signed_name = models.CharField(max_length=150, blank=True)
    signed_at = models.DateTimeField(null=True, blank=True)
    signed_ip = models.GenericIPAddressField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["organisation", "-created_at"])]

    def __str__(self):
        return self.reference

    @property
    def credited_discount(self) -> Decimal:
        """A first-sale quote's discount (its lines'), credited to the partner's balance
        when the quote becomes the order."""
        return sum((line.credited_discount for line in self.lines.all()), Decimal("0"))


class QuoteLine(PricedLine):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    quote = models.ForeignKey(Quote, on_delete=models.CASCADE, related_name="lines")
    #: Quoted as the partner's first sale: the discount not given, credited to its balance
    #: when the quote becomes the order (billing.services.credits).
    credited_discount = models.DecimalField(max_digits=14, decimal_places=2, default=0)

    class Meta(PricedLine.Meta):
        constraints = [
            *PricedLine.amount_constraints("quote_line"),
            models.UniqueConstraint(fields=["quote", "position"], name="quote_line_position"),
        ]

    def __str__(self):
        return f"{self.product_name} x {self.quantity}"
