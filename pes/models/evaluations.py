"""The quarterly tier evaluation (SPEC §3.3) and the history of tier changes.

One ``TierEvaluation`` per partner and quarter: every criterion of the tier it was
evaluated against, with the measured value, the threshold and pass/fail, so partners and
staff see exactly why. Re-running a quarter replaces the record in place (same row); the
tier it was evaluated against is kept, so a re-run after the quarter moved the partner
measures the same tier again and never applies a transition twice.

``TierChange`` is append-only: every change of a partner's type or tier, by an
evaluation, a confirmed upgrade, or a staff override or restore, with its reason.

Written only by pes.services.evaluation and pes.services.tiers."""

import pgtrigger
from django.conf import settings
from django.db import models
from django.db.models import Q

from portal.tenancy.models import TenantOwnedModel


class TierEvaluation(TenantOwnedModel):
    year = models.PositiveSmallIntegerField()
    quarter = models.PositiveSmallIntegerField()
    period_start = models.DateField()
    period_end = models.DateField()
    tier = models.ForeignKey(
        "partners.Tier",
        on_delete=models.PROTECT,
        related_name="+",
        help_text="The tier evaluated against: the partner's tier when first evaluated.",
    )
    passed = models.BooleanField()
    criteria = models.JSONField(
        default=list,
        help_text="Every criterion: name, label, value, threshold, comparison, passed.",
    )
    measures = models.JSONField(default=dict, help_text="The raw figures measured.")
    failed_quarters = models.PositiveSmallIntegerField(
        default=0, help_text="Quarters of the year failed at this tier, this one included."
    )
    transitioned_to = models.ForeignKey(
        "partners.Tier",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        # Never looked up by it (a tier is not deleted): no index to write each quarter.
        db_index=False,
        help_text="The tier this evaluation moved the partner to (second failed quarter).",
    )
    upgrade_to = models.ForeignKey(
        "partners.Tier",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        db_index=False,
        help_text="The next tier, every requirement of which the partner met.",
    )
    evaluated_at = models.DateTimeField()
    evaluated_by = models.CharField(max_length=200, help_text="A person or a named job.")
    notified_at = models.DateTimeField(
        null=True, blank=True, help_text="When the partner was emailed its result (once)."
    )

    class Meta:
        ordering = ["-year", "-quarter"]
        indexes = [models.Index(fields=["year", "quarter", "passed"])]
        permissions = [
            ("run_evaluations", "Can run the tier evaluation"),
            ("change_tiers", "Can confirm upgrades and override or restore tiers"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "year", "quarter"], name="pes_one_evaluation_per_quarter"
            ),
            models.CheckConstraint(
                condition=Q(quarter__gte=1, quarter__lte=4), name="pes_evaluation_quarter"
            ),
        ]

    def __str__(self):
        return f"{self.year}Q{self.quarter}: {'passed' if self.passed else 'failed'}"

    @property
    def label(self) -> str:
        return f"{self.year} Q{self.quarter}"


class TierChange(TenantOwnedModel):
    class Kind(models.TextChoices):
        EVALUATION = "evaluation", "Second failed quarter of the year"
        UPGRADE = "upgrade", "Upgrade confirmed"
        OVERRIDE = "override", "Set by the channel team"
        RESTORE = "restore", "Restored after audit"

    kind = models.CharField(max_length=12, choices=Kind.choices)
    from_tier = models.ForeignKey(
        "partners.Tier", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    to_tier = models.ForeignKey("partners.Tier", on_delete=models.PROTECT, related_name="+")
    reason = models.TextField()
    evaluation = models.ForeignKey(
        TierEvaluation, on_delete=models.PROTECT, null=True, blank=True, related_name="changes"
    )
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    changed_by_label = models.CharField(max_length=200)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["organisation", "-created_at"])]
        constraints = [
            # One automatic move per evaluation, however often it is re-run.
            models.UniqueConstraint(
                fields=["evaluation"],
                condition=Q(kind="evaluation"),
                name="pes_one_transition_per_evaluation",
            ),
            models.CheckConstraint(condition=~Q(reason=""), name="pes_tier_change_reason"),
        ]
        triggers = [
            pgtrigger.Protect(
                name="pes_tier_change_append_only", operation=pgtrigger.Update | pgtrigger.Delete
            ),
        ]

    def __str__(self):
        return f"{self.get_kind_display()}: {self.from_tier} → {self.to_tier}"
