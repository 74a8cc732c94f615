"""Licences (SPEC §3.7): what a partner sold or was given, bound to an end customer.

A licence belongs to the partner that owns the sale (and, sold through a distributor, is
also visible to that distributor, read-only). It is created only by
``licensing.services.licences.licence_issue`` and changed only by licensing's services;
every change is a ``LicenceEvent`` in its history (and an audit record).
"""

from django.conf import settings
from django.db import models
from django.db.models import F, Q

from licensing.models.catalogue import BillingPeriod, Plan, Product, Unit
from portal.tenancy.models import DistributorVisibleModel


class Licence(DistributorVisibleModel):
    class Status(models.TextChoices):
        UNBOUND = "unbound", "Not bound to a customer"
        BOUND = "bound", "Bound, awaiting redemption"
        ACTIVE = "active", "Active"
        EXPIRED = "expired", "Expired"
        CANCELLED = "cancelled", "Cancelled"

    class Kind(models.TextChoices):
        CUSTOMER = "customer", "Customer"
        TRIAL = "trial", "Trial / PoC"
        NFR = "nfr", "NFR / internal use"
        EVALUATION = "evaluation", "Partner evaluation"

    product = models.ForeignKey(Product, on_delete=models.PROTECT, related_name="+")
    plan = models.ForeignKey(
        Plan, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    kind = models.CharField(max_length=12, choices=Kind.choices, default=Kind.CUSTOMER)
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.UNBOUND)

    # Copied from the catalogue when issued: a later catalogue edit never changes them.
    product_code = models.SlugField(max_length=40)
    product_name = models.CharField(max_length=170)
    unit = models.CharField(max_length=10, choices=Unit.choices)
    billing_period = models.CharField(max_length=10, choices=BillingPeriod.choices, blank=True)
    quantity = models.PositiveIntegerField()
    entitlements = models.JSONField(default=dict)
    machine_limit = models.PositiveSmallIntegerField(default=1)

    starts_on = models.DateField()
    ends_on = models.DateField(help_text="The term's last day: the licence is valid through it.")

    # The end customer: a prospect's name for a trial; who redeemed it for a sale.
    customer_name = models.CharField(max_length=200, blank=True)
    customer_email = models.EmailField(blank=True, db_index=True)
    customer_country = models.CharField(max_length=2, blank=True)
    installation_name = models.CharField(max_length=120, blank=True)
    bound_at = models.DateTimeField(null=True, blank=True)
    redeemed_at = models.DateTimeField(null=True, blank=True)
    terms_version = models.CharField(max_length=20, blank=True)
    terms_accepted_at = models.DateTimeField(null=True, blank=True)
    terms_accepted_ip = models.GenericIPAddressField(null=True, blank=True)

    # The key is a secret shown to the customer once (on screen and by email); only its
    # SHA-256 digest is kept, and the last characters to recognise it by.
    key_digest = models.CharField(max_length=64, null=True, blank=True, unique=True)
    key_hint = models.CharField(max_length=8, blank=True)

    source = models.CharField(
        max_length=80, blank=True, help_text="What issued it, e.g. an order line's reference."
    )
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [
            models.Index(fields=["organisation", "status"]),
            models.Index(fields=["distributor", "status"]),
            models.Index(fields=["status", "ends_on"]),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(ends_on__gte=F("starts_on")), name="licence_term"),
            models.CheckConstraint(condition=Q(quantity__gte=1), name="licence_quantity"),
            models.CheckConstraint(
                condition=~Q(status="active") | Q(key_digest__isnull=False),
                name="licence_active_has_key",
            ),
            # A licence that ended (expired, cancelled) before it was ever bound has none.
            models.CheckConstraint(
                condition=Q(status__in=["unbound", "expired", "cancelled"]) | ~Q(customer_email=""),
                name="licence_bound_has_email",
            ),
        ]
        permissions = [
            ("manage_licences", "Can issue, extend and cancel partners' licences"),
        ]

    def __str__(self):
        return f"{self.product_name} x {self.quantity} ({self.get_status_display()})"


class LicenceEvent(models.Model):
    """One entry of a licence's history, in the order it happened. Append-only."""

    class Kind(models.TextChoices):
        CREATED = "created", "Created"
        BOUND = "bound", "Bound to a customer"
        REBOUND = "rebound", "Bound to another customer"
        LINK_SENT = "link_sent", "Redemption link sent"
        REDEEMED = "redeemed", "Redeemed"
        ACTIVATED = "activated", "Activated on a machine"
        DEACTIVATED = "deactivated", "Deactivated on a machine"
        EXTENDED = "extended", "Extended"
        UPGRADED = "upgraded", "Upgraded"
        RENEWED = "renewed", "Renewed"
        EXPIRED = "expired", "Expired"
        CANCELLED = "cancelled", "Cancelled"
        SEATS_CHANGED = "seats_changed", "Seats changed"

    licence = models.ForeignKey(Licence, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(max_length=16, choices=Kind.choices)
    at = models.DateTimeField(auto_now_add=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    summary = models.CharField(max_length=250, blank=True)
    detail = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["at", "id"]
        indexes = [models.Index(fields=["licence", "at"])]

    def __str__(self):
        return f"{self.get_kind_display()} at {self.at:%Y-%m-%d %H:%M}"
