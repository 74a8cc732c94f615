"""What the end customer reaches without an account (SPEC §3.7): emailed links, and the
seats of a per-user licence.

A ``CustomerLink`` is one emailed link to one licence: the redemption link sent when the
partner binds the licence, or the seat-management link sent with the key of a per-user
licence. The URL carries a signed token naming the link's id (licensing.selectors.links);
the row decides whether it still works (expiry, single use, revocation). Neither table has
an organisation of its own: both are the licence owner's data, through their licence.
"""

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q

from licensing.models.licences import Licence


class CustomerLink(models.Model):
    class Purpose(models.TextChoices):
        REDEEM = "redeem", "Redeem the licence"
        MANAGE_SEATS = "manage_seats", "Manage the seats"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    licence = models.ForeignKey(Licence, on_delete=models.CASCADE, related_name="customer_links")
    purpose = models.CharField(max_length=16, choices=Purpose.choices)
    email = models.EmailField(help_text="The customer address the link was sent to.")
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text="The partner's member who bound the licence or asked for a new link.",
    )
    expires_at = models.DateTimeField(
        help_text="A redemption link stops working then. A seat link records the licence's "
        "end when it was sent; the licence's status governs it (a renewal keeps it working)."
    )
    used_at = models.DateTimeField(
        null=True, blank=True, help_text="When the licence was redeemed through it."
    )
    revoked_at = models.DateTimeField(
        null=True, blank=True, help_text="Replaced by a newer link, or the licence was rebound."
    )
    last_sent_at = models.DateTimeField(null=True, blank=True)
    reminders_sent = models.PositiveSmallIntegerField(default=0)
    # Between redemption and the email that carries the key: with the signing key it makes
    # the licence key again, so the email task needs no secret in the outbox. Cleared once
    # the email is sent (licensing.services.redemption).
    key_nonce = models.CharField(max_length=32, blank=True, editable=False)

    class Meta:
        ordering = ["-created_at"]
        indexes = [
            models.Index(fields=["licence", "purpose"]),
            models.Index(
                fields=["expires_at"],
                condition=Q(purpose="redeem", used_at__isnull=True, revoked_at__isnull=True),
                name="customerlink_open_redeem",
            ),
        ]
        constraints = [
            # One live link per licence and purpose: a new one revokes the old in the same
            # transaction, so an old email never keeps working beside a new one.
            models.UniqueConstraint(
                fields=["licence", "purpose"],
                condition=Q(used_at__isnull=True, revoked_at__isnull=True),
                name="customerlink_one_live_per_purpose",
            ),
        ]

    def __str__(self):
        return f"{self.get_purpose_display()} link for {self.email}"


class Seat(models.Model):
    """A user the customer named to hold one seat of a per-user licence."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    licence = models.ForeignKey(Licence, on_delete=models.CASCADE, related_name="seats")
    email = models.EmailField()
    name = models.CharField(max_length=150, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["licence", "email"], name="seat_unique_email"),
        ]

    def __str__(self):
        return self.name or self.email
