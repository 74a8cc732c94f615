"""The marketing center (SPEC §3.11): assets the channel team keeps (logos, badges,
co-branded templates, case studies, datasheets) with the partner types and tiers that may
see them, and how many times each partner downloaded each one.

Assets are programme data (no organisation); downloads are each partner's own rows.
Which asset a partner may see is decided once, in
partners.selectors.marketing.assets_visible_to."""

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q

from portal.storage import private_storage
from portal.tenancy.models import TenantOwnedModel


def _asset_path(instance, filename):
    # A random name: what the uploader called the file never reaches the file system.
    extension = filename[filename.rfind(".") :].lower() if "." in filename else ""
    return f"marketing-assets/{uuid.uuid4().hex}{extension}"


class MarketingAsset(models.Model):
    class Kind(models.TextChoices):
        LOGO = "logo", "Logo"
        BADGE = "badge", "Partner badge"
        TEMPLATE = "template", "Co-branded template"
        CASE_STUDY = "case_study", "Case study"
        DATASHEET = "datasheet", "Datasheet"
        PRESENTATION = "presentation", "Presentation"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    programme = models.ForeignKey(
        "partners.Programme", on_delete=models.CASCADE, related_name="marketing_assets"
    )
    title = models.CharField(max_length=150)
    kind = models.CharField(max_length=16, choices=Kind.choices)
    description = models.TextField(blank=True)
    partner_types = models.ManyToManyField(
        "partners.PartnerType",
        blank=True,
        related_name="+",
        help_text="Empty: every type of the programme.",
    )
    min_tier_level = models.PositiveSmallIntegerField(
        null=True, blank=True, help_text="Empty: every tier (and partners without a tier)."
    )
    published = models.BooleanField(default=False)
    file = models.FileField(upload_to=_asset_path, storage=private_storage)
    original_name = models.CharField(max_length=200)
    content_type = models.CharField(max_length=60)
    size = models.PositiveIntegerField()
    sha256 = models.CharField(max_length=64)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["kind", "title"]
        indexes = [models.Index(fields=["programme", "published", "kind"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(min_tier_level__isnull=True) | Q(min_tier_level__gte=1),
                name="marketing_asset_min_tier_positive",
            )
        ]

    def __str__(self):
        return self.title


class AssetDownload(TenantOwnedModel):
    """How many times a partner downloaded an asset: one row per partner and asset,
    counted with an F() update (partners.services.marketing.asset_download_record)."""

    asset = models.ForeignKey(MarketingAsset, on_delete=models.CASCADE, related_name="downloads")
    count = models.PositiveIntegerField(default=0)
    first_downloaded_at = models.DateTimeField(auto_now_add=True)
    last_downloaded_at = models.DateTimeField()

    class Meta:
        ordering = ["-last_downloaded_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "asset"], name="asset_download_once_per_partner"
            )
        ]

    def __str__(self):
        return f"{self.asset}: {self.count}"
