"""The first-sale credit ledger (SPEC §3.5, Xen Orchestra): append-only.

A partner's first customer sale in a programme with ``first_sale_credit`` is charged at
list price and the discount it would have had is *earned* here, spendable for twelve
months. Later customer sales *spend* it, on top of the standard discount; what is left
when an earned entry reaches ``expires_on`` leaves with an *expired* entry (the daily job
billing.expire_credits). A spend or an expiry names the earned entry it draws on
(``source``), so what is left of each earned entry, and the balance, are sums of the
ledger: nothing is ever updated or deleted (a database trigger refuses both).

Written only by billing.services.credits, under the partner's ledger lock."""

import pgtrigger
from django.conf import settings
from django.db import models
from django.db.models import Q

from billing.models.priced import money_field
from portal.tenancy.models import TenantOwnedModel


class CreditEntry(TenantOwnedModel):
    class Kind(models.TextChoices):
        EARNED = "earned", "Earned (first sale)"
        SPENT = "spent", "Spent"
        EXPIRED = "expired", "Expired"

    kind = models.CharField(max_length=8, choices=Kind.choices)
    amount = money_field(help_text="Always positive: the kind says which way it goes.")
    currency = models.CharField(max_length=3)
    expires_on = models.DateField(
        null=True, blank=True, help_text="Earned credit: spendable before this day."
    )
    order = models.ForeignKey(
        "billing.Order",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="credit_entries",
        help_text="The sale that earned or spent it (none for an expiry).",
    )
    source = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="drawn",
        help_text="Spent or expired: the earned entry it draws on.",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name_plural = "credit entries"
        indexes = [
            models.Index(fields=["organisation", "kind", "expires_on"]),
            models.Index(fields=["kind", "expires_on"]),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="credit_entry_positive"),
            models.CheckConstraint(
                condition=Q(currency__regex=r"^[A-Z]{3}$"), name="credit_entry_currency"
            ),
            models.CheckConstraint(
                condition=Q(kind="earned", expires_on__isnull=False, source__isnull=True)
                | Q(kind__in=["spent", "expired"], expires_on__isnull=True, source__isnull=False),
                name="credit_entry_shape",
            ),
            # An earned entry expires once, however often the job runs.
            models.UniqueConstraint(
                fields=["source"], condition=Q(kind="expired"), name="credit_expires_once"
            ),
            # A partner earns its first-sale credit once.
            models.UniqueConstraint(
                fields=["organisation"], condition=Q(kind="earned"), name="credit_earned_once"
            ),
        ]
        triggers = [
            pgtrigger.Protect(
                name="credit_entry_append_only", operation=pgtrigger.Update | pgtrigger.Delete
            ),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} {self.amount} {self.currency}"
