"""Money: ``Decimal`` amounts with an ISO 4217 currency beside them, rounded in one place.

Every amount the portal stores or shows goes through ``quantize_price`` (half-up to the
cent, the commercial rule of SPEC §3.5). The pricing engine rounds each amount of a line
once, at the step that produces it, and order totals are sums of rounded lines: never
re-rounded, so a total always equals the sum of what its lines show. Floats never appear.
"""

from __future__ import annotations

import re
from decimal import ROUND_HALF_UP, Decimal

CENT = Decimal("0.01")
ZERO = Decimal("0.00")
HUNDRED = Decimal("100")
_CURRENCY = re.compile(r"^[A-Z]{3}$")


def quantize_price(amount: Decimal) -> Decimal:
    """``amount`` rounded half-up to the cent (2.005 -> 2.01, -2.005 -> -2.01)."""
    return Decimal(amount).quantize(CENT, rounding=ROUND_HALF_UP)


def percent_of(amount: Decimal, percent: Decimal) -> Decimal:
    """``percent`` % of ``amount``, rounded to the cent."""
    return quantize_price(amount * percent / HUNDRED)


def is_currency(code: str) -> bool:
    return bool(_CURRENCY.match(code or ""))


def money_str(amount: Decimal) -> str:
    """The decimal string the API gives (``"1234.50"``): always two places, no exponent."""
    return f"{quantize_price(amount):f}"
