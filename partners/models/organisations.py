"""Partner organisations (the tenants) and what belongs to each: members, invitations,
the signed agreement, the public profile."""

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django_countries.fields import CountryField
from simple_history.models import HistoricalRecords

from partners.models.programme import PartnerType, Tier
from portal.storage import private_storage
from portal.tenancy.models import TenantOwnedModel


class Organisation(models.Model):
    """A partner company: the tenant. Every partner-owned row points here."""

    class Status(models.TextChoices):
        PENDING = "pending", "Pending agreement"
        ACTIVE = "active", "Active"
        SUSPENDED = "suspended", "Suspended"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    name = models.CharField(max_length=200, help_text="Legal name.")
    country = CountryField()
    website = models.URLField(blank=True)
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
    joined_on = models.DateField(
        null=True, blank=True, help_text="When the agreement was accepted (programme year rules)."
    )
    level1_support_validated_on = models.DateField(
        null=True,
        blank=True,
        help_text="When the channel team validated the partner's level-1 technical support "
        "(a tier requirement, SPEC §3.2); empty: not validated.",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["name"]
        indexes = [models.Index(fields=["status", "partner_type"])]
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


class Invitation(TenantOwnedModel):
    """An emailed invitation to join an organisation with a role. Only a hash of the token
    is stored; the token itself travels in the email alone. The task that sends the email
    mints the token (partners.services.team.invitation_send): until then there is none."""

    email = models.EmailField()
    role = models.CharField(max_length=16, choices=Membership.Role.choices)
    token_hash = models.CharField(
        max_length=64, unique=True, null=True, blank=True, default=None, editable=False
    )
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    accepted_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "email"],
                condition=Q(accepted_at__isnull=True, revoked_at__isnull=True),
                name="one_open_invitation_per_email",
            )
        ]

    def __str__(self):
        return f"{self.email} ({self.get_role_display()})"


class Agreement(TenantOwnedModel):
    """The partner agreement and order form of an approved application, and their
    click-signature: who accepted which version, when, from which IP."""

    class PdfStatus(models.TextChoices):
        PENDING = "pending", "Being generated"
        READY = "ready", "Ready"
        FAILED = "failed", "Generation failed"

    version = models.CharField(max_length=20)
    pdf_status = models.CharField(
        max_length=10, choices=PdfStatus.choices, default=PdfStatus.PENDING
    )
    # Private: served only by views that check the owner (portal/storage.py).
    agreement_pdf = models.FileField(upload_to="agreements/", storage=private_storage, blank=True)
    agreement_sha256 = models.CharField(max_length=64, blank=True)
    order_form_pdf = models.FileField(upload_to="agreements/", storage=private_storage, blank=True)
    order_form_sha256 = models.CharField(max_length=64, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    accepted_at = models.DateTimeField(null=True, blank=True)
    accepted_ip = models.GenericIPAddressField(null=True, blank=True)
    accepted_name = models.CharField(max_length=150, blank=True)

    class Meta:
        ordering = ["-created_at"]
        # A signed agreement is evidence and is never edited; staff may only have its
        # documents generated again.
        permissions = [
            ("retry_agreement_documents", "Can have agreement documents generated again")
        ]

    def __str__(self):
        return f"Agreement v{self.version}"

    @property
    def is_accepted(self) -> bool:
        return self.accepted_at is not None


def _logo_path(instance, filename):
    return f"logos/{instance.organisation_id}/{uuid.uuid4().hex}{filename[filename.rfind('.') :]}"


class PartnerProfile(TenantOwnedModel):
    """What the public locator shows of a partner (SPEC §3.8)."""

    organisation = models.OneToOneField(
        settings.TENANCY_ORGANISATION_MODEL, on_delete=models.CASCADE, related_name="profile"
    )
    display_name = models.CharField(max_length=120)
    description = models.TextField(blank=True, help_text="30 to 100 words.")
    city = models.CharField(max_length=100, blank=True)
    region = models.CharField(max_length=100, blank=True, help_text="State or province.")
    country = CountryField()
    website = models.URLField(blank=True)
    logo = models.ImageField(upload_to=_logo_path, blank=True)
    logo_width = models.PositiveIntegerField(null=True, blank=True)
    logo_height = models.PositiveIntegerField(null=True, blank=True)
    territory = models.CharField(max_length=200, blank=True, help_text="Where you resell.")
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        indexes = [models.Index(fields=["country"])]

    def __str__(self):
        return self.display_name
