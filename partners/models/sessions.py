"""Sessions the channel team schedules (webinars, enablement sessions, the sales training,
technical trainings) and partners' registrations to them (issue "Sessions and training").

A session is platform data (no organisation: every partner reads the ones it may join); a
registration belongs to one partner. ``seats_taken`` counts the active registrations: it
is kept under the session's row lock, since a partner's context sees only its own
registrations (row-level security) and could not count everyone's.
"""

from __future__ import annotations

import datetime
from zoneinfo import ZoneInfo, available_timezones

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q

from portal.tenancy.models import TenantOwnedModel


def validate_time_zone(value: str) -> None:
    if value not in available_timezones():
        raise ValidationError(f"{value!r} is not a known time zone (e.g. Europe/Paris).")


class Session(models.Model):
    class Kind(models.TextChoices):
        WEBINAR = "webinar", "Webinar"
        ENABLEMENT = "enablement", "Enablement session"
        SALES_TRAINING = "sales_training", "Sales training"
        TECHNICAL_TRAINING = "technical_training", "Technical training"

    class Status(models.TextChoices):
        SCHEDULED = "scheduled", "Scheduled"
        CANCELLED = "cancelled", "Cancelled"

    title = models.CharField(max_length=200)
    kind = models.CharField(max_length=24, choices=Kind.choices)
    description = models.TextField(blank=True)
    starts_at = models.DateTimeField()
    time_zone = models.CharField(
        max_length=64,
        default="Europe/Paris",
        validators=[validate_time_zone],
        help_text="Where the session is given from: its times are shown in this zone.",
    )
    duration_minutes = models.PositiveSmallIntegerField(default=60)
    capacity = models.PositiveIntegerField()
    seats_taken = models.PositiveIntegerField(default=0, editable=False)
    online_link = models.URLField(blank=True)
    place = models.CharField(max_length=200, blank=True)
    partner_types = models.ManyToManyField(
        "partners.PartnerType",
        blank=True,
        related_name="+",
        help_text="Who may join: none chosen means every type.",
    )
    min_tier_level = models.PositiveSmallIntegerField(
        null=True, blank=True, help_text="Lowest tier that may join: empty means every tier."
    )
    certification_name = models.CharField(
        max_length=150,
        blank=True,
        help_text="Technical trainings: the certification attending gives (empty: none).",
    )
    certification_validity_months = models.PositiveSmallIntegerField(null=True, blank=True)
    pes_points = models.PositiveSmallIntegerField(
        default=0, help_text="Engagement points an attendance is worth."
    )
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.SCHEDULED)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["starts_at"]
        indexes = [models.Index(fields=["status", "starts_at"])]
        permissions = [("record_attendance", "Can record attendance of sessions")]
        constraints = [
            models.CheckConstraint(
                condition=Q(seats_taken__lte=models.F("capacity")),
                name="session_seats_within_capacity",
            )
        ]

    def __str__(self):
        return f"{self.title} ({self.local_start:%d %b %Y %H:%M} {self.time_zone})"

    @property
    def ends_at(self) -> datetime.datetime:
        return self.starts_at + datetime.timedelta(minutes=self.duration_minutes)

    @property
    def local_start(self) -> datetime.datetime:
        return self.starts_at.astimezone(ZoneInfo(self.time_zone))

    @property
    def seats_left(self) -> int:
        return max(self.capacity - self.seats_taken, 0)

    @property
    def certifies(self) -> bool:
        return self.kind == self.Kind.TECHNICAL_TRAINING and bool(self.certification_name)


class SessionRegistration(TenantOwnedModel):
    class Status(models.TextChoices):
        REGISTERED = "registered", "Registered"
        CANCELLED = "cancelled", "Cancelled"
        ATTENDED = "attended", "Attended"
        ABSENT = "absent", "Absent"

    ACTIVE = (Status.REGISTERED, Status.ATTENDED, Status.ABSENT)

    session = models.ForeignKey(Session, on_delete=models.PROTECT, related_name="registrations")
    membership = models.ForeignKey(
        "partners.Membership", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    person_name = models.CharField(max_length=150)
    person_email = models.EmailField()
    registered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.REGISTERED)
    attended_at = models.DateTimeField(null=True, blank=True)
    reminded_at = models.DateTimeField(null=True, blank=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["session__starts_at", "person_name"]
        constraints = [
            models.UniqueConstraint(
                fields=["session", "membership"],
                condition=~Q(status="cancelled"),
                name="session_registration_unique_active",
            )
        ]
        indexes = [models.Index(fields=["organisation", "status"])]

    def __str__(self):
        return f"{self.person_name}: {self.session.title}"
