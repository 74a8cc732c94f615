"""What the status dashboard's charts draw: gross invoiced per quarter and the quarter's
deal mix.

Gross invoiced counts exactly as the tier evaluation does (pes.measures: issued invoices
less credit notes, ``gross_usd``, internal-use orders of the personal space excluded, a
credit note judged by its own order or else by the invoice it credits), so that the four
bars of a year add up to the trailing-twelve-months figure the tier asks for
(tests/pes/test_dashboard.py holds them to it). One query for every quarter shown.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Case, DecimalField, F, Q, Sum, When
from django.db.models.functions import Coalesce, TruncQuarter

from billing.models import Invoice
from billing.models.priced import Space
from pes.measures import Measures
from pes.quarters import Quarter

#: How many quarters the gross chart shows, the current one (so far) included.
QUARTERS_SHOWN = 5
ZERO = Decimal("0.00")


@dataclass(frozen=True)
class Bar:
    label: str
    value: Decimal


def quarters_ending(quarter: Quarter, *, count: int = QUARTERS_SHOWN) -> list[Quarter]:
    """``count`` quarters, oldest first, the last being ``quarter``."""
    shown = [quarter]
    while len(shown) < count:
        shown.insert(0, shown[0].previous())
    return shown


def gross_by_quarter(*, organisation, quarters: list[Quarter]) -> list[Bar]:
    """Gross invoiced in US dollars in each of ``quarters`` (consecutive, oldest first)."""
    signed = Case(
        When(kind=Invoice.Kind.CREDIT_NOTE, then=-F("gross_usd")),
        default=F("gross_usd"),
        output_field=DecimalField(max_digits=16, decimal_places=2),
    )
    rows = (
        Invoice.objects.filter(
            organisation=organisation,
            issued_on__gte=quarters[0].start,
            issued_on__lte=quarters[-1].end,
        )
        # The order an invoice is for: its own, or (a credit note) the credited invoice's.
        .alias(space=Coalesce("order__space", "credited_invoice__order__space"))
        .filter(Q(space__isnull=True) | ~Q(space=Space.PERSONAL))
        .annotate(quarter_start=TruncQuarter("issued_on"))
        .order_by()
        .values("quarter_start")
        .annotate(usd=Sum(signed))
        .values_list("quarter_start", "usd")
    )
    by_start = {start: usd for start, usd in rows}
    return [Bar(q.label, (by_start.get(q.start) or ZERO).quantize(ZERO)) for q in quarters]


def deal_mix(measures: Measures) -> list[Bar]:
    """The quarter's customer sales by engagement model (counts), as the tier's shares
    count them (pes.criteria)."""
    return [
        Bar("Partner-owned", Decimal(measures.partner_owned)),
        Bar("Co-led", Decimal(measures.co_led)),
        Bar("Late involvement", Decimal(measures.late_involvement)),
    ]
