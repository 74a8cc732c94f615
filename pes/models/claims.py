"""Claims of engagement activities with their evidence, and applications to redeem points
(SPEC §3.9). Partners write them; the channel team decides (pes.services.claims,
pes.services.redemptions). A decided claim or redemption is final."""

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from portal.storage import private_storage
from portal.tenancy.models import TenantOwnedModel


class Claim(TenantOwnedModel):
    class Status(models.TextChoices):
        SUBMITTED = "submitted", "Waiting for review"
        APPROVED = "approved", "Approved"
        REJECTED = "rejected", "Rejected"
        WITHDRAWN = "withdrawn", "Withdrawn"

    activity = models.ForeignKey("pes.Activity", on_delete=models.PROTECT, related_name="claims")
    performed_on = models.DateField(help_text="When the activity took place.")
    description = models.TextField(help_text="What was done, for whom.")
    link = models.URLField(blank=True, help_text="A public page showing it (case study, event).")
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.SUBMITTED)
    points = models.PositiveIntegerField(
        help_text="The activity's points when claimed: what approval awards."
    )
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    submitted_at = models.DateTimeField(default=timezone.now, editable=False)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    rejection_reason = models.TextField(blank=True)

    class Meta:
        ordering = ["-submitted_at"]
        indexes = [
            models.Index(fields=["organisation", "-submitted_at"]),
            models.Index(fields=["status", "submitted_at"]),
        ]
        permissions = [("review_claims", "Can approve or reject engagement claims")]
        constraints = [
            models.CheckConstraint(
                condition=~Q(status="rejected") | ~Q(rejection_reason=""),
                name="pes_claim_rejection_has_reason",
            ),
        ]

    def __str__(self):
        return f"{self.activity.name} ({self.performed_on})"


def _claim_file_path(instance, filename):
    extension = filename[filename.rfind(".") :].lower() if "." in filename else ""
    return f"pes-claims/{instance.organisation_id}/{uuid.uuid4().hex}{extension}"


class ClaimFile(TenantOwnedModel):
    """Evidence for a claim, checked like a payment proof (billing.services.proof_files)."""

    claim = models.ForeignKey(Claim, on_delete=models.PROTECT, related_name="files")
    file = models.FileField(upload_to=_claim_file_path, storage=private_storage)
    original_name = models.CharField(max_length=200)
    content_type = models.CharField(max_length=40)
    size = models.PositiveIntegerField()
    sha256 = models.CharField(max_length=64)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "engagement claim file"
        ordering = ["uploaded_at"]

    def __str__(self):
        return self.original_name


class Redemption(TenantOwnedModel):
    """An application to redeem points for a benefit."""

    class Status(models.TextChoices):
        REQUESTED = "requested", "Waiting for review"
        APPROVED = "approved", "Approved"
        REJECTED = "rejected", "Rejected"
        WITHDRAWN = "withdrawn", "Withdrawn"

    benefit = models.ForeignKey("pes.Benefit", on_delete=models.PROTECT, related_name="+")
    points = models.PositiveIntegerField(help_text="The benefit's cost when applied for.")
    note = models.TextField(blank=True)
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.REQUESTED)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    requested_at = models.DateTimeField(default=timezone.now, editable=False)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    rejection_reason = models.TextField(blank=True)

    class Meta:
        ordering = ["-requested_at"]
        indexes = [models.Index(fields=["status", "requested_at"])]
        permissions = [("review_redemptions", "Can approve or reject points redemptions")]
        constraints = [
            models.CheckConstraint(condition=Q(points__gt=0), name="pes_redemption_points"),
            models.CheckConstraint(
                condition=~Q(status="rejected") | ~Q(rejection_reason=""),
                name="pes_redemption_rejection_has_reason",
            ),
        ]

    def __str__(self):
        return f"{self.benefit.name} ({self.points} pts)"
