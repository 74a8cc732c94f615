"""The catalogue (SPEC §3.5): what the programme sells, as data the channel team edits.

A product is one sellable edition (``pro``: "Pro" of the "Vates VMS" family) with its unit,
quantity limits and entitlements; a plan is its price for one billing period. Licences,
orders and invoices copy what they need when they are made, so editing a price or an
entitlement here never changes anything already sold.
"""

from decimal import Decimal

from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import F, Q


class Unit(models.TextChoices):
    """How the price scales with the quantity. A flat product has one price for whatever
    quantity it covers (Essential: $2,000 for up to 3 hosts); per host and per user
    multiply the price by the quantity (Pro: $1,000 per host)."""

    FLAT = "flat", "Flat price"
    PER_HOST = "per_host", "Per host"
    PER_USER = "per_user", "Per user"


class BillingPeriod(models.TextChoices):
    MONTHLY = "monthly", "Monthly"
    YEARLY = "yearly", "Yearly"


class SupportHours(models.TextChoices):
    NONE = "", "No support"
    BUSINESS_DAY = "business_day", "Business day"
    ALWAYS = "24x7", "24/7"


class Product(models.Model):
    programme = models.ForeignKey(
        "partners.Programme", on_delete=models.CASCADE, related_name="products"
    )
    code = models.SlugField(max_length=40, help_text="Stable code used by the API and deals.")
    name = models.CharField(max_length=80)
    family = models.CharField(
        max_length=80, blank=True, help_text='The line it belongs to, e.g. "Vates VMS".'
    )
    description = models.CharField(max_length=200, blank=True)
    unit = models.CharField(max_length=10, choices=Unit.choices, default=Unit.FLAT)
    quantity_noun = models.CharField(
        max_length=20, default="hosts", help_text='What the quantity counts: "hosts", "users".'
    )
    min_quantity = models.PositiveIntegerField(default=1, validators=[MinValueValidator(1)])
    max_quantity = models.PositiveIntegerField(
        null=True, blank=True, help_text="Empty: no maximum."
    )
    is_active = models.BooleanField(default=True, help_text="Offered for new sales.")
    position = models.PositiveSmallIntegerField(default=0)

    # Entitlements (SPEC §3.5): copied into each licence and its signed file.
    support_tickets_per_year = models.PositiveIntegerField(
        null=True, blank=True, help_text="Empty: unlimited."
    )
    support_hours = models.CharField(
        max_length=16, choices=SupportHours.choices, blank=True, default=SupportHours.NONE
    )
    critical_response_hours = models.PositiveSmallIntegerField(
        null=True, blank=True, help_text="Response time for critical (S1) tickets; empty: none."
    )
    hypervisor_licences_all_hosts = models.BooleanField(default=False)
    management_appliances = models.PositiveSmallIntegerField(default=0)
    complete_feature_access = models.BooleanField(default=False)
    setup_assistance = models.BooleanField(default=False, help_text="Setup and upgrade assistance.")
    machine_limit = models.PositiveSmallIntegerField(
        default=1,
        validators=[MinValueValidator(1)],
        help_text="Machines (appliances) one licence may be activated on at a time.",
    )

    class Meta:
        ordering = ["programme", "position", "name"]
        constraints = [
            models.UniqueConstraint(fields=["programme", "code"], name="product_unique_code"),
            models.CheckConstraint(
                condition=Q(max_quantity__isnull=True) | Q(max_quantity__gte=F("min_quantity")),
                name="product_max_at_least_min",
            ),
        ]

    def __str__(self):
        return f"{self.family} {self.name}".strip()

    def entitlements(self) -> dict:
        """What a licence of this product carries, as stored in the licence (a copy)."""
        return {
            "support_tickets_per_year": self.support_tickets_per_year,
            "support_hours": self.support_hours,
            "critical_response_hours": self.critical_response_hours,
            "hypervisor_licences_all_hosts": self.hypervisor_licences_all_hosts,
            "management_appliances": self.management_appliances,
            "complete_feature_access": self.complete_feature_access,
            "setup_assistance": self.setup_assistance,
        }


class Plan(models.Model):
    """A product's price per unit for one billing period. Without a monthly plan, monthly
    billing is the yearly price / 12 (the pricing engine's rule)."""

    product = models.ForeignKey(Product, on_delete=models.CASCADE, related_name="plans")
    billing_period = models.CharField(max_length=10, choices=BillingPeriod.choices)
    currency = models.CharField(max_length=3, help_text="ISO 4217 code, e.g. USD, EUR.")
    price = models.DecimalField(
        max_digits=12,
        decimal_places=2,
        validators=[MinValueValidator(Decimal("0"))],
        help_text="Per unit (host, user, bundle) and period.",
    )
    is_active = models.BooleanField(default=True)

    class Meta:
        ordering = ["product", "billing_period"]
        constraints = [
            models.UniqueConstraint(
                fields=["product", "billing_period"], name="plan_unique_period"
            ),
            models.CheckConstraint(condition=Q(price__gte=0), name="plan_price_not_negative"),
            models.CheckConstraint(
                condition=Q(currency__regex=r"^[A-Z]{3}$"), name="plan_currency_iso"
            ),
        ]

    def __str__(self):
        return (
            f"{self.product} · {self.get_billing_period_display()} · {self.price} {self.currency}"
        )
