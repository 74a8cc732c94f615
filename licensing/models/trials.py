"""Trials, their extension requests, partner evaluation licence requests and expiry
reminders (SPEC §3.7).

A trial is a licence of kind ``trial`` (issued by ``licence_issue``); ``Trial`` holds what a
trial has beyond a licence: the prospect's address and the project. The requests are the
partner's (tenant rows), decided by the channel team; ``LicenceReminder`` records each
reminder the expiry job sent, so that it is sent once.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q

from licensing.models.licences import Licence
from portal.tenancy.models import TenantOwnedModel


class RequestStatus(models.TextChoices):
    PENDING = "pending", "Awaiting review"
    APPROVED = "approved", "Approved"
    REJECTED = "rejected", "Rejected"


class Trial(TenantOwnedModel):
    """What a trial licence has beyond the licence itself (the licence's customer name is
    the prospect's name)."""

    licence = models.OneToOneField(Licence, on_delete=models.CASCADE, related_name="trial")
    prospect_email = models.EmailField(blank=True)
    project = models.CharField(max_length=200, blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self):
        return f"Trial for {self.licence.customer_name}"


class _Decision(TenantOwnedModel):
    status = models.CharField(
        max_length=10, choices=RequestStatus.choices, default=RequestStatus.PENDING
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    decided_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    decision_reason = models.TextField(blank=True)

    class Meta:
        abstract = True

    @property
    def is_pending(self) -> bool:
        return self.status == RequestStatus.PENDING


class TrialExtensionRequest(_Decision):
    """A partner asks the channel team to extend a trial beyond the programme's maximum
    (``trial_max_days``), with the project's details."""

    licence = models.ForeignKey(
        Licence, on_delete=models.CASCADE, related_name="extension_requests"
    )
    ends_on = models.DateField(help_text="The end the partner asks for.")
    project_details = models.TextField(max_length=4000)

    class Meta:
        ordering = ["created_at"]
        indexes = [models.Index(fields=["status", "created_at"])]
        constraints = [
            models.UniqueConstraint(
                fields=["licence"],
                condition=Q(status="pending"),
                name="trial_extension_one_pending",
            )
        ]
        permissions = [
            ("review_trial_extension", "Can approve and reject trial extension requests")
        ]

    def __str__(self):
        return f"Extension of {self.licence.product_name} to {self.ends_on:%d %b %Y}"


class EvaluationLicenceRequest(_Decision):
    """A partner asks for its own evaluation licence (Mattermost's Partner Evaluation
    License: one year, up to the partner type's ``evaluation_licence_users``)."""

    users = models.PositiveIntegerField()
    purpose = models.TextField(max_length=2000)
    licence = models.OneToOneField(
        Licence,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="evaluation_request",
        help_text="The licence issued on approval.",
    )

    class Meta:
        ordering = ["created_at"]
        indexes = [models.Index(fields=["status", "created_at"])]
        constraints = [
            models.UniqueConstraint(
                fields=["organisation"],
                condition=Q(status="pending"),
                name="evaluation_request_one_pending",
            ),
            models.CheckConstraint(condition=Q(users__gte=1), name="evaluation_request_users"),
        ]
        permissions = [
            ("review_evaluation_licence", "Can approve and reject evaluation licence requests")
        ]

    def __str__(self):
        return f"Evaluation licence for {self.users} users"


class LicenceReminder(TenantOwnedModel):
    """One reminder the expiry job sent: ``days_before`` the licence's end as it was then
    (``ends_on``). An extended licence is reminded again before its new end."""

    licence = models.ForeignKey(Licence, on_delete=models.CASCADE, related_name="reminders")
    days_before = models.PositiveSmallIntegerField()
    ends_on = models.DateField()
    sent_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-sent_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["licence", "days_before", "ends_on"], name="licence_reminder_once"
            )
        ]

    def __str__(self):
        return f"Reminder {self.days_before} days before {self.ends_on:%d %b %Y}"
