"""Activation (SPEC §3.7): an appliance presents a licence key and its machine fingerprint
and receives a licence file signed with the vendor's Ed25519 key, which it verifies offline
with the published public key.

``SigningKey`` is the vendor's key pair: the platform's own data, not a tenant's. The
private key is kept encrypted with a passphrase from the settings
(``LICENCE_SIGNING_PASSPHRASE``); one key is current (it signs new files), and every key,
retired or not, stays published so that files signed before a rotation still verify.

``Activation`` is one machine a licence runs on; it has no organisation of its own and is
guarded through its licence (row-level security ``via="licence"``).
"""

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q

from licensing.models.licences import Licence
from portal.tenancy.models import TenantQuerySet

ED25519 = "Ed25519"


class SigningKey(models.Model):
    kid = models.CharField(
        max_length=32,
        unique=True,
        help_text="Key id, written in every licence file it signs (from the public key).",
    )
    algorithm = models.CharField(max_length=16, default=ED25519, editable=False)
    public_key = models.CharField(max_length=64, help_text="The raw 32-byte key, base64.")
    private_key_encrypted = models.TextField(
        help_text="PKCS #8 PEM, encrypted with LICENCE_SIGNING_PASSPHRASE."
    )
    is_current = models.BooleanField(default=True, help_text="Signs new licence files.")
    created_at = models.DateTimeField(auto_now_add=True)
    retired_at = models.DateTimeField(
        null=True, blank=True, help_text="Replaced by a newer key; still published."
    )

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["is_current"],
                condition=Q(is_current=True),
                name="signingkey_one_current",
            ),
            models.CheckConstraint(
                condition=Q(is_current=True, retired_at__isnull=True)
                | Q(is_current=False, retired_at__isnull=False),
                name="signingkey_retired_when_not_current",
            ),
        ]

    def __str__(self):
        return f"{self.algorithm} key {self.kid}" + ("" if self.is_current else " (retired)")


class ActivationQuerySet(TenantQuerySet):
    """Activations through their licence: the same rule as the row-level security policy
    ``via="licence"`` (a licence's owner reads and changes them, its distributor reads)."""

    def for_tenant(self, organisation) -> TenantQuerySet:
        if organisation is None:
            return self.none()
        return self.filter(
            Q(licence__organisation=organisation) | Q(licence__distributor=organisation)
        )

    def owned_by(self, organisation) -> TenantQuerySet:
        if organisation is None:
            return self.none()
        return self.filter(licence__organisation=organisation)


class Activation(models.Model):
    """One machine a licence is activated on. A machine that is deactivated (by the
    appliance with the key, or released by the partner) keeps its row, with
    ``deactivated_at``; activating it again makes a new row."""

    class DeactivatedBy(models.TextChoices):
        APPLIANCE = "appliance", "The appliance, with the licence key"
        PARTNER = "partner", "The partner"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    licence = models.ForeignKey(Licence, on_delete=models.CASCADE, related_name="activations")
    fingerprint = models.CharField(max_length=128)
    hostname = models.CharField(max_length=253, blank=True)
    activated_at = models.DateTimeField(auto_now_add=True)
    last_issued_at = models.DateTimeField(help_text="When the last licence file was issued.")
    signing_key = models.ForeignKey(
        SigningKey,
        on_delete=models.PROTECT,
        related_name="+",
        help_text="The key that signed the last licence file.",
    )
    deactivated_at = models.DateTimeField(null=True, blank=True)
    deactivated_by = models.CharField(
        max_length=12, choices=DeactivatedBy.choices, blank=True, default=""
    )
    released_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    objects = ActivationQuerySet.as_manager()

    class Meta:
        ordering = ["-activated_at", "-id"]
        indexes = [models.Index(fields=["licence", "deactivated_at"])]
        constraints = [
            # One live activation per machine and licence: activating again re-issues it.
            models.UniqueConstraint(
                fields=["licence", "fingerprint"],
                condition=Q(deactivated_at__isnull=True),
                name="activation_one_live_per_machine",
            ),
            models.CheckConstraint(
                condition=Q(deactivated_at__isnull=True, deactivated_by="")
                | Q(deactivated_at__isnull=False) & ~Q(deactivated_by=""),
                name="activation_deactivated_says_by_whom",
            ),
        ]

    def __str__(self):
        return f"{self.hostname or self.fingerprint[:16]} ({self.licence_id})"

    @property
    def is_active(self) -> bool:
        return self.deactivated_at is None
