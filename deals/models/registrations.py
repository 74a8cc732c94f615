"""Deal registrations (SPEC §3.6): a partner names an end customer's opportunity, the
channel team approves it, and an approved registration reserves the opportunity for that
partner until its protection ends.

An *opportunity* is the customer's normalised domain plus the catalogue product
(``deals.domains.normalise_domain``). The database keeps one holder per opportunity: a
partial unique index over (customer_domain, product) where the status is ``approved``.
Expiry, a win, a loss or a rejection move a registration out of ``approved`` and so lift its
protection; approvals racing for the same opportunity cannot both commit.

A registration is written only by deals.services; every state change is a ``DealEvent``
in its history (the conversation with the channel team is part of it) and an audit record.
"""

from decimal import Decimal

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django_countries.fields import CountryField

from licensing.models import Product
from partners.models import EngagementModel
from portal.tenancy.models import TenantOwnedModel


class Deal(TenantOwnedModel):
    class Status(models.TextChoices):
        SUBMITTED = "submitted", "Submitted"
        CONFLICT = "conflict", "In conflict"
        MORE_INFO_REQUESTED = "more_info_requested", "More information requested"
        APPROVED = "approved", "Approved"
        REJECTED = "rejected", "Rejected"
        EXPIRED = "expired", "Expired"
        WON = "won", "Won"
        LOST = "lost", "Lost"

    reference = models.CharField(
        max_length=20, unique=True, editable=False, help_text="DR-YYYY-NNNNNN, numbered per year."
    )
    product = models.ForeignKey(Product, on_delete=models.PROTECT, related_name="+")

    # The end customer: no anonymous sales.
    customer_name = models.CharField(max_length=200)
    customer_domain = models.CharField(
        max_length=253,
        help_text="Normalised: lower case, no www., punycode (the opportunity's key).",
    )
    customer_country = CountryField()
    customer_region = models.CharField(
        max_length=80,
        blank=True,
        help_text="ISO 3166-2 code or name of the region, where the embargo names regions.",
    )
    customer_email = models.EmailField()

    estimated_value = models.DecimalField(
        max_digits=14, decimal_places=2, validators=[MinValueValidator(Decimal("0"))]
    )
    currency = models.CharField(max_length=3, help_text="ISO 4217 code, e.g. USD, EUR.")
    expected_close_date = models.DateField()
    engagement_model = models.CharField(max_length=20, choices=EngagementModel.choices)
    notes = models.TextField(blank=True)

    status = models.CharField(max_length=24, choices=Status.choices, default=Status.SUBMITTED)
    protected_until = models.DateField(
        null=True, blank=True, help_text="The last day an approved registration is protected."
    )

    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    submitted_at = models.DateTimeField(default=timezone.now, editable=False)
    review_since = models.DateTimeField(
        default=timezone.now,
        help_text="When it last came to the channel team for review (submitted, answered).",
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    rejection_reason = models.TextField(blank=True)
    expiry_reminder_sent_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True, help_text="Marked won or lost.")
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "deal registration"
        ordering = ["-submitted_at", "-id"]
        indexes = [
            models.Index(fields=["organisation", "status"]),
            models.Index(fields=["customer_domain", "product"]),
            models.Index(fields=["status", "protected_until"]),
            models.Index(fields=["status", "review_since"]),
        ]
        constraints = [
            # Deal blocking: one approved registration per opportunity, whoever holds it.
            models.UniqueConstraint(
                fields=["customer_domain", "product"],
                condition=Q(status="approved"),
                name="deal_one_holder_per_opportunity",
            ),
            models.CheckConstraint(
                condition=Q(estimated_value__gte=0), name="deal_value_not_negative"
            ),
            models.CheckConstraint(
                condition=Q(currency__regex=r"^[A-Z]{3}$"), name="deal_currency_iso"
            ),
            models.CheckConstraint(
                condition=~Q(status="approved") | Q(protected_until__isnull=False),
                name="deal_approved_is_protected",
            ),
            models.CheckConstraint(condition=~Q(customer_email=""), name="deal_names_a_contact"),
            models.CheckConstraint(condition=~Q(customer_domain=""), name="deal_names_a_domain"),
        ]
        permissions = [
            (
                "review_deal",
                "Can approve, reject, ask for information on and extend deal registrations",
            ),
        ]

    def __str__(self):
        return f"{self.reference} · {self.customer_name}"

    #: Waiting for the channel team's decision.
    WAITING = (Status.SUBMITTED, Status.CONFLICT)
    #: Not decided yet (the partner may still be answering a question).
    OPEN = (Status.SUBMITTED, Status.CONFLICT, Status.MORE_INFO_REQUESTED)

    @property
    def is_open(self) -> bool:
        return self.status in self.OPEN


class DealEvent(models.Model):
    """One entry of a registration's history, in the order it happened. Append-only.

    The partner reads every entry of its own registrations: texts are written for it, and
    never name another partner (a conflict says only that the opportunity is held)."""

    class Kind(models.TextChoices):
        SUBMITTED = "submitted", "Submitted"
        CONFLICT = "conflict", "In conflict"
        QUESTION = "question", "Question from the channel team"
        ANSWER = "answer", "Answer"
        APPROVED = "approved", "Approved"
        REJECTED = "rejected", "Rejected"
        EXTENDED = "extended", "Protection extended"
        REMINDED = "reminded", "Expiry reminder sent"
        EXPIRED = "expired", "Expired"
        WON = "won", "Marked won"
        LOST = "lost", "Marked lost"
        ONLINE_PURCHASE = "online_purchase", "Customer bought online (referral fee)"

    deal = models.ForeignKey(Deal, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(max_length=16, choices=Kind.choices)
    at = models.DateTimeField(default=timezone.now)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    by_channel_team = models.BooleanField(
        default=False, help_text="Written by the channel team (or the portal), not the partner."
    )
    text = models.TextField(blank=True)

    class Meta:
        ordering = ["at", "id"]
        indexes = [models.Index(fields=["deal", "at"])]

    def __str__(self):
        return f"{self.get_kind_display()} at {self.at:%Y-%m-%d %H:%M}"


class ReferenceCounter(models.Model):
    """The last number given in a year to one kind of reference (``DR`` deal
    registrations, ``RL`` referral leads). ``next_reference`` increments it with one upsert
    that row-locks it until the submission commits, so numbers are handed out in order
    with no gap (a rolled-back submission gives its number back) and never twice."""

    prefix = models.CharField(max_length=4)
    year = models.PositiveSmallIntegerField()
    last = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["prefix", "year"], name="reference_counter_unique")
        ]

    def __str__(self):
        return f"{self.prefix}-{self.year}: {self.last}"
