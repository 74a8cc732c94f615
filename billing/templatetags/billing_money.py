"""How amounts read on billing pages and documents."""

from decimal import Decimal

from django import template
from django.template.defaultfilters import floatformat

from billing.tax import TAX_KIND_LABELS

register = template.Library()

#: The typographic minus sign (U+2212) a deduction is shown with, as the tables print it.
MINUS = "\u2212"


@register.filter
def deduction(amount) -> str:
    """A discount or credit as it is taken off: a minus sign before it, never before a
    zero ("0.00", not a negative zero)."""
    shown = floatformat(amount, "2g")
    return f"{MINUS}{shown}" if amount and Decimal(amount) != 0 else shown


@register.filter
def tax_rule(kind: str) -> str:
    """The VAT rule of a sale in words ("reverse charge")."""
    return TAX_KIND_LABELS.get(kind, kind)
