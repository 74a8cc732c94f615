"""Renewal reminders (SPEC §3.10): one row per licence, stage and term end the daily job
billing.remind_renewals emailed about, so that however often it runs a partner hears once
per stage (30, then 7 days before the end); a renewed licence, with its new end, is
reminded again before that end. Written only by billing.services.renewals."""

from django.db import models

from portal.tenancy.models import TenantOwnedModel


class RenewalReminder(TenantOwnedModel):
    licence = models.ForeignKey(
        "licensing.Licence", on_delete=models.CASCADE, related_name="renewal_reminders"
    )
    stage = models.PositiveSmallIntegerField(help_text="Days before the end it was due.")
    ends_on = models.DateField(help_text="The end of the term it was about.")
    sent_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-sent_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["licence", "stage", "ends_on"], name="renewal_reminder_once"
            )
        ]

    def __str__(self):
        return f"Renewal reminder {self.stage} days before {self.ends_on:%d %b %Y}"
