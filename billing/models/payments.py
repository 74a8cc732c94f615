"""Payments by wire transfer (SPEC §3.10): the partner uploads proof of its transfer for an
invoice; the channel team marks the invoice paid or rejects the proof with a reason.

An invoice never changes once issued, so its payment is a row of its own: an invoice with
an ``InvoicePayment`` is paid; one without, past its due date, is overdue. Written only by
billing.services.payments."""

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q

from billing.models.invoices import Invoice
from billing.models.priced import money_field
from portal.storage import private_storage
from portal.tenancy.models import TenantOwnedModel


def _proof_path(instance, filename):
    # A random name: what the partner called its file never reaches the file system.
    extension = filename[filename.rfind(".") :].lower() if "." in filename else ""
    return f"payment-proofs/{uuid.uuid4().hex}{extension}"


class PaymentProof(TenantOwnedModel):
    class Status(models.TextChoices):
        SUBMITTED = "submitted", "Awaiting review"
        ACCEPTED = "accepted", "Accepted"
        REJECTED = "rejected", "Rejected"

    invoice = models.ForeignKey(Invoice, on_delete=models.PROTECT, related_name="payment_proofs")
    file = models.FileField(upload_to=_proof_path, storage=private_storage)
    original_name = models.CharField(max_length=200)
    content_type = models.CharField(max_length=40)
    size = models.PositiveIntegerField()
    sha256 = models.CharField(max_length=64)
    note = models.CharField(max_length=250, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.SUBMITTED)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    uploaded_at = models.DateTimeField(auto_now_add=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    reviewed_at = models.DateTimeField(null=True, blank=True)
    rejection_reason = models.CharField(max_length=500, blank=True)

    class Meta:
        ordering = ["-uploaded_at"]
        indexes = [models.Index(fields=["status", "uploaded_at"])]
        constraints = [
            models.CheckConstraint(
                condition=~Q(status="rejected") | ~Q(rejection_reason=""),
                name="payment_proof_rejection_has_reason",
            )
        ]

    def __str__(self):
        return f"{self.original_name} ({self.get_status_display()})"


class InvoicePayment(TenantOwnedModel):
    """The invoice is paid: recorded once by the channel team (a unique invoice)."""

    invoice = models.OneToOneField(Invoice, on_delete=models.PROTECT, related_name="payment")
    amount = money_field()
    paid_on = models.DateField()
    proof = models.ForeignKey(
        PaymentProof, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    recorded_at = models.DateTimeField(auto_now_add=True)

    def __str__(self):
        return f"{self.invoice_id} paid on {self.paid_on}"


class InvoiceReminder(TenantOwnedModel):
    """An overdue reminder sent for an invoice: one per invoice and stage, so the daily job
    running twice never sends a second."""

    invoice = models.ForeignKey(Invoice, on_delete=models.PROTECT, related_name="reminders")
    stage = models.PositiveSmallIntegerField(help_text="Days overdue when it was sent.")
    sent_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["invoice", "stage"], name="invoice_reminder_once")
        ]
