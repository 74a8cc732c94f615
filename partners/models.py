"""Partner organisations (the tenants), their members, and the programme's types and tiers."""

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django_countries.fields import CountryField
from simple_history.models import HistoricalRecords

from portal.tenancy.models import TenantOwnedModel


class PartnerType(models.Model):
    """Distributor, MSP, Reseller, CSP, ... (SPEC §3.1). Programme data, edited in admin."""

    code = models.SlugField(max_length=40, unique=True)
    name = models.CharField(max_length=80)

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name


class Tier(models.Model):
    """A partner type's tier 1-4 (SPEC §3.2)."""

    partner_type = models.ForeignKey(PartnerType, on_delete=models.CASCADE, related_name="tiers")
    level = models.PositiveSmallIntegerField()
    name = models.CharField(max_length=80, blank=True)

    class Meta:
        ordering = ["partner_type", "level"]
        constraints = [
            models.UniqueConstraint(fields=["partner_type", "level"], name="tier_unique_level"),
            models.CheckConstraint(condition=Q(level__gte=1), name="tier_level_positive"),
        ]

    def __str__(self):
        return self.name or f"{self.partner_type} tier {self.level}"


class Organisation(models.Model):
    """A partner company: the tenant. Every partner-owned row points here."""

    class Status(models.TextChoices):
        PENDING = "pending", "Pending agreement"
        ACTIVE = "active", "Active"
        SUSPENDED = "suspended", "Suspended"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    name = models.CharField(max_length=200)
    country = CountryField()
    partner_type = models.ForeignKey(PartnerType, on_delete=models.PROTECT, related_name="+")
    tier = models.ForeignKey(
        Tier, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.PENDING)
    distributor = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="resellers",
        help_text="The distributor supplying this reseller (two-tier distribution).",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(distributor=models.F("id")), name="organisation_not_own_distributor"
            ),
        ]

    def __str__(self):
        return self.name

    @property
    def is_active(self) -> bool:
        return self.status == self.Status.ACTIVE


class Membership(TenantOwnedModel):
    """A person's place in a partner organisation. One organisation per person."""

    class Role(models.TextChoices):
        ADMIN = "admin", "Administrator"
        SALES = "sales", "Sales"
        TECHNICAL = "technical", "Technical"
        FINANCE = "finance", "Finance"

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="membership"
    )
    role = models.CharField(max_length=16, choices=Role.choices)
    created_at = models.DateTimeField(auto_now_add=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["user__email"]
        indexes = [models.Index(fields=["organisation", "role"])]

    def __str__(self):
        return f"{self.user} ({self.get_role_display()})"
