"""What a quote and an order have in common: an end customer, a billing period, one
currency, lines priced by the engine (billing.services.pricing) and their totals.

Every amount is copied when priced, with the rule that gave the discount, so a later
change of the programme or the catalogue never changes a document already made."""

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import Q
from django_countries.fields import CountryField

from licensing.models import BillingPeriod

ZERO = Decimal("0.00")


def money_field(**kwargs):
    return models.DecimalField(max_digits=14, decimal_places=2, default=ZERO, **kwargs)


class Space(models.TextChoices):
    """Where a purchase is made (the Xen Orchestra seed): for a customer at the partner's
    discount, or for the partner's own use at list price."""

    RESELLER = "reseller", "Reseller space"
    PERSONAL = "personal", "Personal space"


class PricedDocument(models.Model):
    reference = models.CharField(max_length=20, unique=True, editable=False)
    space = models.CharField(max_length=10, choices=Space.choices, default=Space.RESELLER)
    billing_period = models.CharField(max_length=10, choices=BillingPeriod.choices)
    currency = models.CharField(max_length=3)

    customer_name = models.CharField(max_length=200)
    customer_country = CountryField()
    customer_email = models.EmailField()
    customer_nonprofit = models.BooleanField(
        default=False,
        help_text="Declared eligible for the charity / education / non-profit discount.",
    )
    deal = models.ForeignKey(
        "deals.Deal", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    engagement_model = models.CharField(
        max_length=20, help_text="The linked deal's, or late involvement without one."
    )

    list_amount = money_field()
    charity_discount = money_field()
    gross_amount = money_field(help_text="List less the charity discount: what counts for tiers.")
    partner_discount = money_field()
    credit_applied = money_field()
    net_amount = money_field(help_text="Before tax.")
    tax = money_field()
    total = money_field()
    tax_kind = models.CharField(max_length=20)
    tax_mention = models.CharField(max_length=200, blank=True)

    # Two-tier: the vendor sells to the distributor, the distributor to the reseller.
    # ``distributor_net`` is the vendor's price to the distributor (before tax); the lines'
    # amounts are the reseller's price from the distributor.
    distributor_discount = money_field()
    distributor_net = money_field()
    distributor_tax = money_field()
    distributor_total = money_field()

    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        abstract = True


class PricedLine(models.Model):
    position = models.PositiveSmallIntegerField()
    product = models.ForeignKey("licensing.Product", on_delete=models.PROTECT, related_name="+")
    product_code = models.CharField(max_length=40)
    product_name = models.CharField(max_length=80)
    plan = models.ForeignKey("licensing.Plan", on_delete=models.PROTECT, related_name="+")
    quantity = models.PositiveIntegerField()
    unit_price = models.DecimalField(
        max_digits=14, decimal_places=4, help_text="Per unit and billing period."
    )
    list_amount = money_field()
    charity_discount_percent = models.DecimalField(max_digits=5, decimal_places=2, default=ZERO)
    charity_discount = money_field()
    gross_amount = money_field()
    partner_discount_percent = models.DecimalField(max_digits=5, decimal_places=2, default=ZERO)
    partner_discount = money_field()
    discount_rule = models.CharField(max_length=200, help_text="Why this discount.")
    credit_applied = money_field()
    net_amount = money_field()
    tax_rate = models.DecimalField(max_digits=5, decimal_places=2, default=ZERO)
    tax = money_field()
    total = money_field()
    distributor_discount_percent = models.DecimalField(max_digits=5, decimal_places=2, default=ZERO)
    distributor_discount = money_field()
    distributor_net = money_field()

    class Meta:
        abstract = True
        ordering = ["position"]

    @staticmethod
    def amount_constraints(prefix: str) -> list[models.CheckConstraint]:
        return [
            models.CheckConstraint(
                condition=Q(quantity__gte=1), name=f"{prefix}_quantity_positive"
            ),
            models.CheckConstraint(
                condition=Q(net_amount__gte=0) & Q(total__gte=0), name=f"{prefix}_not_negative"
            ),
        ]
