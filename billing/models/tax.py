"""The VAT rates the channel team keeps (SPEC §3.5: "rates are a table kept by staff")."""

from decimal import Decimal

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django_countries.fields import CountryField


class TaxRate(models.Model):
    """A country's standard VAT rate, in percent. Orders and quotes copy the rate they
    were priced at, so a change applies to the next sale only."""

    country = CountryField(unique=True)
    rate = models.DecimalField(
        max_digits=5,
        decimal_places=2,
        validators=[MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("100"))],
        help_text="Standard rate in percent, e.g. 20.00.",
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["country"]
        constraints = [
            models.CheckConstraint(
                condition=Q(rate__gte=0) & Q(rate__lte=100), name="tax_rate_range"
            )
        ]

    def __str__(self):
        return f"{self.country.name}: {self.rate}%"
