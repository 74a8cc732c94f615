"""The engagement score's catalogue (SPEC §3.9): programme data the channel team keeps.

An activity is worth a number of points in one of five categories. Partners claim the
claimable ones with evidence; some are awarded by events (``auto_event``), once per event.
A benefit is what points can be redeemed for.
"""

from django.db import models
from django.db.models import Q


class Category(models.TextChoices):
    DELIVERY = "delivery", "Delivery"
    DISPLACEMENT = "displacement", "Displacement"
    CERTIFICATION = "certification", "Certification & support"
    AUTONOMY = "autonomy", "Autonomy"
    MARKETING = "marketing", "Marketing"


class AutoEvent(models.TextChoices):
    """Events that award an activity's points by themselves (pes.services.awards)."""

    PARTNER_LED_RENEWAL = "partner_led_renewal", "A partner-led renewal"
    CERTIFIED_EXPERT = "certified_expert", "A certified technical expert added"
    SESSION_ATTENDED = "session_attended", "An enablement session attended"


class Activity(models.Model):
    programme = models.ForeignKey(
        "partners.Programme", on_delete=models.CASCADE, related_name="pes_activities"
    )
    code = models.SlugField(max_length=60)
    name = models.CharField(max_length=150)
    category = models.CharField(max_length=16, choices=Category.choices)
    points = models.PositiveIntegerField()
    description = models.TextField(blank=True)
    evidence_hint = models.CharField(
        max_length=250, blank=True, help_text="What evidence the channel team expects."
    )
    claimable = models.BooleanField(default=True, help_text="Partners may claim it with evidence.")
    auto_event = models.CharField(
        max_length=24,
        choices=AutoEvent.choices,
        blank=True,
        help_text="Awarded by this event, once per event, without a claim.",
    )
    active = models.BooleanField(default=True)

    class Meta:
        ordering = ["programme", "category", "name"]
        verbose_name_plural = "activities"
        constraints = [
            models.UniqueConstraint(fields=["programme", "code"], name="pes_activity_code"),
            models.UniqueConstraint(
                fields=["programme", "auto_event"],
                condition=~Q(auto_event=""),
                name="pes_activity_one_per_event",
            ),
            models.CheckConstraint(condition=Q(points__gt=0), name="pes_activity_points"),
        ]

    def __str__(self):
        return f"{self.name} ({self.points} pts)"


class Benefit(models.Model):
    """What a partner may apply to redeem points for; staff decide each application."""

    programme = models.ForeignKey(
        "partners.Programme", on_delete=models.CASCADE, related_name="pes_benefits"
    )
    code = models.SlugField(max_length=60)
    name = models.CharField(max_length=150)
    description = models.TextField(blank=True)
    points = models.PositiveIntegerField(help_text="Points the benefit costs.")
    active = models.BooleanField(default=True)

    class Meta:
        ordering = ["programme", "points", "name"]
        constraints = [
            models.UniqueConstraint(fields=["programme", "code"], name="pes_benefit_code"),
            models.CheckConstraint(condition=Q(points__gt=0), name="pes_benefit_points"),
        ]

    def __str__(self):
        return f"{self.name} ({self.points} pts)"
