"""Accounts (people log in with their email address; there are no usernames), the
outbox and the audit trail."""

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.utils import timezone

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
    content_type = models.ForeignKey(
        "contenttypes.ContentType", on_delete=models.PROTECT, related_name="+"
    )
    object_id = models.CharField(max_length=64)
    object_repr = models.CharField(max_length=200)
    organisation = models.ForeignKey(
        settings.TENANCY_ORGANISATION_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
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
