"""Training and certification records per member (SPEC §3.8); they feed the tier
requirements for certified sales professionals and technical experts."""

from django.conf import settings
from django.db import models
from django.db.models import F, Q

from portal.tenancy.models import TenantOwnedModel


class _PersonRecord(TenantOwnedModel):
    # The record stays (with the name it was recorded for) when the person leaves; only
    # current members count towards the tier requirements.
    membership = models.ForeignKey(
        "partners.Membership", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    person_name = models.CharField(max_length=150)
    person_email = models.EmailField()
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        abstract = True


class SalesTraining(_PersonRecord):
    """Attendance of the vendor's sales training (the complimentary two-hour session)."""

    attended_on = models.DateField()
    session = models.CharField(max_length=150, blank=True)

    class Meta:
        ordering = ["-attended_on"]
        verbose_name = "sales training attendance"
        permissions = [("record_training", "Can record and correct sales training attendances")]

    def __str__(self):
        return f"{self.person_name}: sales training {self.attended_on}"


class TechnicalCertification(_PersonRecord):
    name = models.CharField(max_length=150)
    obtained_on = models.DateField()
    expires_on = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["-obtained_on"]
        permissions = [
            ("record_certification", "Can record and correct technical certifications"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(expires_on__isnull=True) | Q(expires_on__gt=F("obtained_on")),
                name="certification_expires_after_obtained",
            )
        ]

    def __str__(self):
        return f"{self.person_name}: {self.name}"
