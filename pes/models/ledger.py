"""The points ledger: append-only (a database trigger refuses UPDATE and DELETE).

An entry is written when a claim is approved, when an event awards an activity (once per
event: ``event_key`` is unique per organisation), when staff adjust a score with a reason,
and (negative) when a redemption is approved. The engagement score of a period is the sum
of the entries *earned* in it (``kind`` other than redemption): redeeming points spends the
redeemable balance, never the tier score.

Written only by pes.services.ledger."""

import pgtrigger
from django.conf import settings
from django.db import models
from django.db.models import Q

from pes.models.activities import Category
from portal.tenancy.models import TenantOwnedModel


class PointsEntry(TenantOwnedModel):
    class Kind(models.TextChoices):
        CLAIM = "claim", "Approved claim"
        EVENT = "event", "Awarded by an event"
        ADJUSTMENT = "adjustment", "Adjusted by the channel team"
        REDEMPTION = "redemption", "Redeemed"

    kind = models.CharField(max_length=12, choices=Kind.choices)
    category = models.CharField(max_length=16, choices=Category.choices, blank=True)
    activity = models.ForeignKey(
        "pes.Activity", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    points = models.IntegerField(help_text="Negative for a redemption or a correction.")
    earned_on = models.DateField(help_text="The day the points count from (trailing 12 months).")
    description = models.CharField(max_length=250)
    claim = models.OneToOneField(
        "pes.Claim", on_delete=models.PROTECT, null=True, blank=True, related_name="entry"
    )
    redemption = models.OneToOneField(
        "pes.Redemption", on_delete=models.PROTECT, null=True, blank=True, related_name="entry"
    )
    event_key = models.CharField(
        max_length=120,
        blank=True,
        help_text="The event that awarded it (e.g. renewal:<order id>): once per event.",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-earned_on", "-created_at"]
        verbose_name_plural = "points entries"
        permissions = [("adjust_points", "Can add or remove engagement points with a reason")]
        indexes = [
            models.Index(fields=["organisation", "earned_on"]),
            models.Index(fields=["earned_on"]),
        ]
        constraints = [
            models.CheckConstraint(condition=~Q(points=0), name="pes_entry_nonzero"),
            models.UniqueConstraint(
                fields=["organisation", "event_key"],
                condition=~Q(event_key=""),
                name="pes_entry_once_per_event",
            ),
            models.CheckConstraint(
                condition=Q(kind="claim", claim__isnull=False)
                | Q(kind="event", activity__isnull=False)
                | Q(kind="adjustment")
                | Q(kind="redemption", redemption__isnull=False, points__lt=0),
                name="pes_entry_shape",
            ),
        ]
        triggers = [
            pgtrigger.Protect(
                name="pes_entry_append_only", operation=pgtrigger.Update | pgtrigger.Delete
            ),
        ]

    def __str__(self):
        return f"{self.points:+d} · {self.description}"
