"""Accounts (people log in with their email address; there are no usernames), the
outbox, the audit trail and the vendor whose portal this is."""

import uuid

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.utils import timezone
from django_countries.fields import CountryField

from portal.tenancy.models import TenantQuerySet


class UserManager(BaseUserManager):
    use_in_migrations = True

    def _create_user(self, email, password, **extra):
        if not email:
            raise ValueError("An email address is required")
        user = self.model(email=self.normalize_email(email).lower(), **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email, password=None, **extra):
        extra.setdefault("is_staff", False)
        extra.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra)

    def create_superuser(self, email, password=None, **extra):
        extra.update(is_staff=True, is_superuser=True)
        return self._create_user(email, password, **extra)


class User(AbstractBaseUser, PermissionsMixin):
    """A person: a partner's member, or (is_staff) someone of the vendor's channel team."""

    email = models.EmailField("email address", unique=True)
    full_name = models.CharField(max_length=150, blank=True)
    is_staff = models.BooleanField(
        default=False, help_text="Channel team: may use the admin and see every partner."
    )
    is_active = models.BooleanField(default=True)
    date_joined = models.DateTimeField(default=timezone.now)

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS: list[str] = []

    class Meta:
        ordering = ["email"]

    def __str__(self):
        return self.email

    def get_full_name(self):
        return self.full_name or self.email

    def get_short_name(self):
        return self.full_name.split(" ")[0] if self.full_name else self.email


class OutboxTask(models.Model):
    """A task to send to the broker, written in the same transaction as the change that
    asks for it. Publishing right after the commit can fail (the broker is down); the
    row stays until the relay (portal.relay_outbox, every 30 s) has sent it, so a
    committed change never loses its email or document. Delivery is at least once:
    tasks are idempotent."""

    task_name = models.CharField(max_length=200)
    args = models.JSONField(default=list)
    kwargs = models.JSONField(default=dict)
    created_at = models.DateTimeField(auto_now_add=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveIntegerField(default=0)
    last_error = models.TextField(blank=True)

    class Meta:
        ordering = ["created_at"]
        indexes = [
            models.Index(
                fields=["created_at"],
                condition=models.Q(sent_at__isnull=True),
                name="outbox_unsent",
            )
        ]

    def __str__(self):
        return f"{self.task_name} ({'sent' if self.sent_at else 'waiting'})"


class AuditEvent(models.Model):
    """One state change, written by the service that made it, in the same transaction
    (SPEC §3.13; portal.audit.services.audit_record). Append-only: a database trigger
    refuses UPDATE and DELETE, and the admin offers neither.

    Tenant data: the organisation it concerns sees it (row-level security); rows without
    an organisation (an application before approval, programme rules) are the platform's,
    visible to system contexts only.
    """

    id = models.BigAutoField(primary_key=True)
    at = models.DateTimeField(default=timezone.now, db_index=True)
    actor = models.ForeignKey(
        "portal.User",
        # Evidence keeps its author: deactivate accounts rather than delete them.
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    actor_label = models.CharField(
        max_length=200,
        blank=True,
        help_text="The user's email when it happened, or the named job "
        "(task:…, command:…, public:…) when no person acted.",
    )
    action = models.CharField(max_length=100, help_text="A dotted code: application.approved.")
    # The FKs' own indexes would repeat the leading columns of audit_object and
    # audit_org_time (Meta.indexes): every state change writes a row, so each index counts.
    content_type = models.ForeignKey(
        "contenttypes.ContentType", on_delete=models.PROTECT, related_name="+", db_index=False
    )
    object_id = models.CharField(max_length=64)
    object_repr = models.CharField(max_length=200)
    organisation = models.ForeignKey(
        settings.TENANCY_ORGANISATION_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        db_index=False,
    )
    before = models.JSONField(default=dict, blank=True, encoder=DjangoJSONEncoder)
    after = models.JSONField(default=dict, blank=True, encoder=DjangoJSONEncoder)
    summary = models.CharField(max_length=500)
    ip = models.GenericIPAddressField(null=True, blank=True)

    objects = TenantQuerySet.as_manager()
    tenancy_visible_to_distributor = False

    class Meta:
        ordering = ["-at", "-id"]
        indexes = [
            models.Index(fields=["organisation", "-at", "-id"], name="audit_org_time"),
            models.Index(fields=["content_type", "object_id", "-at"], name="audit_object"),
        ]

    def __str__(self):
        return f"{self.action} {self.object_repr}"


def _vendor_logo_path(instance, filename):
    return f"vendor/logo-{uuid.uuid4().hex}{filename[filename.rfind('.') :]}"


class Vendor(models.Model):
    """The vendor (seller of record) whose partner portal this is (SPEC §3.12): its brand,
    legal identity, bank details and contacts, shown on every page, email and document.

    One row: ``key`` is always 1 (a check and a unique constraint hold it). The channel team
    edits it in the admin through ``portal.vendor.services.vendor_update``; it is platform
    data, not a tenant's (no row-level security)."""

    key = models.PositiveSmallIntegerField(default=1, unique=True, editable=False)

    brand_name = models.CharField(
        max_length=100, help_text="How partners know the vendor, e.g. Vates."
    )
    logo = models.ImageField(
        upload_to=_vendor_logo_path,
        blank=True,
        help_text="PNG, JPEG or WebP, shown in the header beside the brand name.",
    )

    legal_name = models.CharField(
        "legal entity", max_length=200, help_text="The company's registered name, e.g. Vates SAS."
    )
    registered_address = models.TextField(
        help_text="The registered office, one line per line of the address."
    )
    country = CountryField(help_text="Country of the registered office.")
    vat_number = models.CharField(
        "VAT number", max_length=20, help_text="With its country prefix, e.g. FR11123456782."
    )
    company_number = models.CharField(
        "company number",
        max_length=20,
        help_text="For a French company, the SIREN (nine digits).",
    )
    company_registry = models.CharField(
        "registry",
        max_length=100,
        blank=True,
        help_text="Where it is registered, e.g. RCS Grenoble.",
    )
    governing_law = models.CharField(
        max_length=100, help_text="The law that governs the partner agreement, e.g. French law."
    )
    courts = models.CharField(
        "competent courts",
        max_length=200,
        help_text="The courts that settle disputes, e.g. the courts of Grenoble, France.",
    )

    bank_name = models.CharField(max_length=100, blank=True)
    iban = models.CharField("IBAN", max_length=34, blank=True)
    bic = models.CharField("BIC", max_length=11, blank=True)

    support_email = models.EmailField("support email")
    support_url = models.URLField("support website", blank=True)
    channel_team_email = models.EmailField("channel team email")
    channel_team_phone = models.CharField("channel team phone", max_length=30, blank=True)

    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "vendor"
        verbose_name_plural = "vendor"
        constraints = [
            models.CheckConstraint(condition=models.Q(key=1), name="vendor_single_row"),
        ]

    def __str__(self):
        return self.legal_name or self.brand_name or "Vendor"

    @property
    def address_lines(self) -> list[str]:
        return [line.strip() for line in self.registered_address.splitlines() if line.strip()]

    @property
    def address_one_line(self) -> str:
        return ", ".join(self.address_lines)

    @property
    def iban_display(self) -> str:
        """In groups of four, as banks print it."""
        return " ".join(self.iban[i : i + 4] for i in range(0, len(self.iban), 4))

    @property
    def company_registration(self) -> str:
        """As French documents print it: "RCS Grenoble 123 456 782"."""
        number = self.company_number
        if len(number) == 9 and number.isdigit():
            number = f"{number[:3]} {number[3:6]} {number[6:]}"
        return " ".join(part for part in (self.company_registry, number) if part)

    @property
    def logo_url(self) -> str | None:
        """The site-relative URL of the logo, versioned by its file name (a new logo is
        fetched at once despite caching); None without one."""
        if not self.logo:
            return None
        from django.urls import reverse

        version = self.logo.name.rsplit("/", 1)[-1].split(".", 1)[0]
        return f"{reverse('vendor_logo')}?v={version}"
