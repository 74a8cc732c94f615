"""Marketing development funds (SPEC §3.11): a yearly budget per eligible partner, the
requests it funds (activity, dates, cost, expected result), the channel team's decision,
the partner's claim with proof of execution, and the payment.

Lifecycle of a request (written only by billing.services.mdf)::

    submitted ─┬─> approved ─┬─> claimed ─┬─> claim_approved ──> paid
               │             │            └─> approved (claim rejected: claim again)
               ├─> rejected  └─> cancelled
               └─> cancelled

What a request holds against its budget is ``MdfRequest.held`` (see
billing.selectors.mdf)."""

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q

from billing.models.priced import money_field
from portal.storage import private_storage
from portal.tenancy.models import TenantOwnedModel


class MdfBudget(TenantOwnedModel):
    """What the vendor gives one partner for marketing in one calendar year."""

    year = models.PositiveSmallIntegerField()
    amount = money_field()
    currency = models.CharField(max_length=3)
    set_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "marketing budget"
        ordering = ["-year"]
        permissions = [("set_mdf_budgets", "Can set partners' marketing development budgets")]
        constraints = [
            models.UniqueConstraint(fields=["organisation", "year"], name="mdf_budget_once_a_year"),
            models.CheckConstraint(condition=Q(amount__gte=0), name="mdf_budget_not_negative"),
        ]

    def __str__(self):
        return f"{self.year}: {self.amount} {self.currency}"


class MdfRequest(TenantOwnedModel):
    class Status(models.TextChoices):
        SUBMITTED = "submitted", "Awaiting review"
        APPROVED = "approved", "Approved"
        REJECTED = "rejected", "Rejected"
        CLAIMED = "claimed", "Claim awaiting review"
        CLAIM_APPROVED = "claim_approved", "Claim approved"
        PAID = "paid", "Paid"
        CANCELLED = "cancelled", "Cancelled"

    budget = models.ForeignKey(MdfBudget, on_delete=models.PROTECT, related_name="requests")
    activity = models.CharField(max_length=200)
    start_date = models.DateField()
    end_date = models.DateField()
    cost = money_field()
    currency = models.CharField(max_length=3)
    expected_result = models.TextField(max_length=2000)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.SUBMITTED)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    submitted_at = models.DateTimeField(auto_now_add=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_reason = models.CharField(max_length=500, blank=True)
    claimed_amount = models.DecimalField(max_digits=14, decimal_places=2, null=True, blank=True)
    claimed_at = models.DateTimeField(null=True, blank=True)
    claim_note = models.CharField(max_length=500, blank=True)
    claim_decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    claim_decided_at = models.DateTimeField(null=True, blank=True)
    claim_rejection_reason = models.CharField(max_length=500, blank=True)
    paid_amount = models.DecimalField(max_digits=14, decimal_places=2, null=True, blank=True)
    paid_at = models.DateTimeField(null=True, blank=True)
    paid_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = "marketing fund request"
        ordering = ["-submitted_at"]
        permissions = [
            ("review_mdf", "Can decide marketing fund requests and claims"),
            ("pay_mdf", "Can mark approved marketing fund claims paid"),
        ]
        indexes = [models.Index(fields=["status", "submitted_at"])]
        constraints = [
            models.CheckConstraint(condition=Q(cost__gt=0), name="mdf_request_cost_positive"),
            models.CheckConstraint(
                condition=Q(end_date__gte=models.F("start_date")), name="mdf_request_dates"
            ),
            models.CheckConstraint(
                condition=Q(claimed_amount__isnull=True) | Q(claimed_amount__lte=models.F("cost")),
                name="mdf_claim_within_cost",
            ),
            models.CheckConstraint(
                condition=~Q(status="rejected") | ~Q(decision_reason=""),
                name="mdf_rejection_has_reason",
            ),
        ]

    def __str__(self):
        return f"{self.activity} ({self.get_status_display()})"

    @property
    def held(self):
        """What this request holds against its budget (see billing.selectors.mdf)."""
        from billing.selectors.mdf import request_held

        return request_held(self)


def _claim_path(instance, filename):
    extension = filename[filename.rfind(".") :].lower() if "." in filename else ""
    return f"mdf-claims/{uuid.uuid4().hex}{extension}"


class MdfClaimFile(TenantOwnedModel):
    """Proof that the activity took place (invoices, photos, a report), checked like a
    payment proof (billing.services.proof_files)."""

    request = models.ForeignKey(MdfRequest, on_delete=models.PROTECT, related_name="claim_files")
    file = models.FileField(upload_to=_claim_path, storage=private_storage)
    original_name = models.CharField(max_length=200)
    content_type = models.CharField(max_length=40)
    size = models.PositiveIntegerField()
    sha256 = models.CharField(max_length=64)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "marketing fund claim file"
        ordering = ["uploaded_at"]

    def __str__(self):
        return self.original_name
