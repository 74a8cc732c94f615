"""The VAT rates the channel team keeps (SPEC §3.5): set by staff holding
``billing.change_taxrate``, audited. Orders and quotes copy the rate they were priced at,
so a change applies to the next sale only."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from django.db import transaction

from billing.models import TaxRate
from billing.services.sale_input import sale_country_validate
from portal.audit.services import audit_record
from portal.errors import DomainError
from portal.permissions import require_staff_permission

PERMISSION = "billing.change_taxrate"


def tax_rate_validate(*, country, rate) -> tuple[str, Decimal]:
    code = sale_country_validate(country, field="country")
    try:
        value = Decimal(str(rate))
    except (InvalidOperation, ValueError):
        value = None
    if value is None or not value.is_finite() or not Decimal("0") <= value <= 100:
        raise DomainError("A rate from 0 to 100 %.", field="rate", code="rate")
    if value != value.quantize(Decimal("0.01")):
        raise DomainError("At most two decimal places.", field="rate", code="rate")
    return code, value.quantize(Decimal("0.01"))


def tax_rate_set(*, country, rate, actor) -> TaxRate:
    """Create or change ``country``'s standard rate (percent)."""
    require_staff_permission(actor, PERMISSION)
    code, value = tax_rate_validate(country=country, rate=rate)
    with transaction.atomic():
        row = TaxRate.objects.select_for_update().filter(country=code).first()
        before = {"rate": row.rate} if row is not None else {}
        if row is None:
            row = TaxRate(country=code, rate=value)
        row.rate = value
        row.save()
        if before.get("rate") != value:
            audit_record(
                actor=actor,
                action="tax_rate.set",
                obj=row,
                organisation=None,
                before=before,
                after={"country": code, "rate": value},
                summary=f"VAT rate of {code}: {value}%",
            )
    return row
