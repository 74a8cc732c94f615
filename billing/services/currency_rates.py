"""The US dollar rates the channel team keeps (SPEC §3.4): set by staff holding
``billing.change_currencyrate``, audited. An invoice records the rate in force on its
date, so a change applies to invoices issued from its ``valid_from`` on."""

from __future__ import annotations

import datetime
from decimal import Decimal, InvalidOperation

from django.db import transaction

from billing.models import CurrencyRate
from billing.models.invoices import USD_RATE_PLACES
from billing.money import is_currency
from portal.audit.services import audit_record
from portal.errors import DomainError
from portal.permissions import require_staff_permission

PERMISSION = "billing.change_currencyrate"
_PLACES = Decimal(1).scaleb(-USD_RATE_PLACES)


def currency_rate_validate(*, currency, usd_rate) -> tuple[str, Decimal]:
    code = (currency or "").strip().upper()
    if not is_currency(code) or code == "USD":
        raise DomainError(
            "A three-letter ISO 4217 currency other than USD, e.g. EUR.", field="currency"
        )
    try:
        value = Decimal(str(usd_rate))
    except (InvalidOperation, ValueError):
        value = None
    if value is None or not value.is_finite() or value <= 0 or value > 10_000:
        raise DomainError("A positive rate: US dollars for one unit.", field="usd_rate")
    if value != value.quantize(_PLACES):
        raise DomainError(f"At most {USD_RATE_PLACES} decimal places.", field="usd_rate")
    return code, value


def currency_rate_set(*, currency, valid_from: datetime.date, usd_rate, actor) -> CurrencyRate:
    """Create or change the rate of ``currency`` from ``valid_from``."""
    require_staff_permission(actor, PERMISSION)
    code, value = currency_rate_validate(currency=currency, usd_rate=usd_rate)
    with transaction.atomic():
        row = (
            CurrencyRate.objects.select_for_update()
            .filter(currency=code, valid_from=valid_from)
            .first()
        )
        before = {"usd_rate": row.usd_rate} if row is not None else {}
        row = row or CurrencyRate(currency=code, valid_from=valid_from, usd_rate=value)
        row.usd_rate = value
        row.save()
        if before.get("usd_rate") != value:
            audit_record(
                actor=actor,
                action="currency_rate.set",
                obj=row,
                organisation=None,
                before=before,
                after={"currency": code, "valid_from": valid_from, "usd_rate": value},
                summary=f"1 {code} = {value} USD from {valid_from:%d %b %Y}",
            )
    return row
