"""Applications to join the programme, from the public form (SPEC §3.8)."""

import uuid

from django.conf import settings
from django.db import models
from django_countries.fields import CountryField
from simple_history.models import HistoricalRecords

from partners.models.programme import PartnerType, Programme


class PartnerApplication(models.Model):
    """Not tenant-owned: there is no tenant until the channel team approves it."""

    class Status(models.TextChoices):
        SUBMITTED = "submitted", "Awaiting review"
        INFO_REQUESTED = "info_requested", "More information requested"
        APPROVED = "approved", "Approved"
        REJECTED = "rejected", "Rejected"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    programme = models.ForeignKey(Programme, on_delete=models.PROTECT, related_name="+")
    company_name = models.CharField(max_length=200)
    country = CountryField()
    region = models.CharField(max_length=100, blank=True)
    website = models.URLField()
    years_in_operation = models.PositiveSmallIntegerField()
    partner_type = models.ForeignKey(PartnerType, on_delete=models.PROTECT, related_name="+")
    contact_name = models.CharField(max_length=150)
    contact_email = models.EmailField()
    expectations = models.TextField()
    customer_to_resell_to = models.CharField(max_length=200, blank=True)

    status = models.CharField(max_length=20, choices=Status.choices, default=Status.SUBMITTED)
    submitted_at = models.DateTimeField(auto_now_add=True)
    submitted_ip = models.GenericIPAddressField(null=True, blank=True)
    info_request = models.TextField(blank=True, help_text="What the channel team asked.")
    reply_nonce = models.CharField(
        max_length=32,
        blank=True,
        editable=False,
        help_text="Part of the signed reply link of the current round; empty once answered.",
    )
    applicant_reply = models.TextField(blank=True)
    replied_at = models.DateTimeField(null=True, blank=True)
    rejection_reason = models.TextField(blank=True)
    decided_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    organisation = models.OneToOneField(
        settings.TENANCY_ORGANISATION_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="application",
    )

    # The reply link's nonce is no history worth keeping.
    history = HistoricalRecords(excluded_fields=["reply_nonce"])

    class Meta:
        ordering = ["-submitted_at"]
        # A decision, not an edit: the admin offers no change form for applications.
        permissions = [
            ("review_application", "Can approve, reject and ask applicants for information"),
        ]
        indexes = [models.Index(fields=["status", "submitted_at"])]

    def __str__(self):
        return f"{self.company_name} ({self.get_status_display()})"

    @property
    def is_open(self) -> bool:
        return self.status in {self.Status.SUBMITTED, self.Status.INFO_REQUESTED}
