"""A partner's billing identity: who the vendor invoices (SPEC §3.5: the party invoiced
decides the tax) and the resale discount a distributor gives its resellers (SPEC §1)."""

from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django_countries.fields import CountryField

from portal.tenancy.models import TenantOwnedModel

PERCENT = [MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("100"))]


class BillingAccount(TenantOwnedModel):
    """The name, address and VAT number invoices carry. The VAT number is checked for
    format and check digits when saved (billing.services.accounts); only a valid one
    gives the EU reverse charge."""

    legal_name = models.CharField(max_length=200)
    address = models.TextField(blank=True)
    country = CountryField()
    vat_number = models.CharField(max_length=20, blank=True)
    vat_number_valid = models.BooleanField(default=False, editable=False)
    invoice_email = models.EmailField(blank=True, help_text="Where invoices are sent.")
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["organisation"], name="billing_account_one")]

    def __str__(self):
        return self.legal_name


class ResellerDiscount(TenantOwnedModel):
    """The discount off list a distributor (the owner) gives a reseller attached to it;
    without ``reseller``, every attached reseller without its own row. The distributor's
    margin is the difference between this price and the vendor's price to it."""

    reseller = models.ForeignKey(
        settings.TENANCY_ORGANISATION_MODEL,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
    )
    percent = models.DecimalField(max_digits=5, decimal_places=2, validators=PERCENT)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "reseller"],
                name="reseller_discount_unique",
                nulls_distinct=False,
            ),
            models.CheckConstraint(
                condition=Q(percent__gte=0) & Q(percent__lte=100),
                name="reseller_discount_range",
            ),
        ]

    def __str__(self):
        return f"{self.percent}%"
