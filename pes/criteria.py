"""A tier's requirements (SPEC §3.2) checked against measured figures: one ``Criterion``
per requirement that applies, each with the measured value, the threshold and pass/fail.
Pure functions: the evaluation (all partners at once), the tier status API and the
dashboard all judge with ``criteria_for``.

A requirement left empty on the tier ("optional", "on request") is not a criterion.
Shares are of the quarter's customer sales by count; a quarter without customer sales
has a 0 % partner-owned share (and 0 % co-led and late-involvement shares).
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from pes.measures import Measures

AT_LEAST = "at_least"
AT_MOST = "at_most"
REQUIRED = "required"
HUNDRED = Decimal("100")
GROSS_LABEL = "Gross invoiced, trailing 12 months"


# Not frozen: a frozen dataclass's __init__ costs several times more, and the evaluation
# builds about twenty of these per partner (its tier's and the next one's). Never changed.
@dataclass(slots=True)
class Criterion:
    name: str
    label: str
    value: Decimal | int | bool
    threshold: Decimal | int | bool
    comparison: str  # at_least, at_most, required
    unit: str  # the reporting currency's code, "percent", "count", "points" or "yes_no"
    passed: bool
    exempt: bool = False  # 2026 joiners: no gross invoiced minimum that year
    note: str = ""

    @property
    def progress(self) -> int:
        """0-100 for a progress bar: how far towards a minimum; for a maximum, 100 while
        within it."""
        if self.comparison == AT_LEAST:
            if self.exempt or not self.threshold:
                return 100
            return int(min(Decimal(self.value) / Decimal(self.threshold), 1) * 100)
        return 100 if self.passed else 0

    @property
    def missing(self) -> Decimal | int:
        """How much is still needed (a minimum) or over (a maximum); 0 when passed."""
        if self.passed or self.comparison == REQUIRED:
            return 0
        gap = Decimal(self.threshold) - Decimal(self.value)
        return abs(gap)

    @property
    def value_text(self) -> str:
        return _text(self.value, self.unit)

    @property
    def threshold_text(self) -> str:
        return _text(self.threshold, self.unit)

    def as_json(self) -> dict:
        return {
            "name": self.name,
            "label": self.label,
            "value": _plain(self.value),
            "threshold": _plain(self.threshold),
            "comparison": self.comparison,
            "unit": self.unit,
            "passed": self.passed,
            "exempt": self.exempt,
            "note": self.note,
        }

    @classmethod
    def from_json(cls, data: dict) -> Criterion:
        def typed(value, unit):
            if isinstance(value, bool | int):
                return value
            return Decimal(value)

        return cls(
            name=data["name"],
            label=data["label"],
            value=typed(data["value"], data["unit"]),
            threshold=typed(data["threshold"], data["unit"]),
            comparison=data["comparison"],
            unit=data["unit"],
            passed=data["passed"],
            exempt=data.get("exempt", False),
            note=data.get("note", ""),
        )


def _plain(value):
    """A JSON value: booleans and integers as they are, decimals as strings."""
    return value if isinstance(value, bool | int) else str(value)


def _text(value, unit: str) -> str:
    if unit == "yes_no":
        return "yes" if value else "no"
    if unit == "percent":
        return f"{value}%"
    if unit in ("count", "points"):
        return f"{value}"
    return f"{Decimal(value):,.0f} {unit}"  # an amount in the reporting currency


def share(part: int, total: int) -> Decimal:
    if not total:
        return Decimal("0.0")
    return (Decimal(part) * HUNDRED / Decimal(total)).quantize(
        Decimal("0.1"), rounding=ROUND_HALF_UP
    )


def _at_least(name, label, value, threshold, unit, **extra) -> Criterion:
    return Criterion(name, label, value, threshold, AT_LEAST, unit, value >= threshold, **extra)


def _at_most(name, label, value, threshold, unit) -> Criterion:
    return Criterion(name, label, value, threshold, AT_MOST, unit, value <= threshold)


def criteria_for(
    *, tier, measures: Measures, currency: str, gross_exempt: bool = False
) -> list[Criterion]:
    """Every requirement of ``tier`` that applies, judged on ``measures``.

    ``gross_exempt``: the partner joined in the programme's exemption year and the period
    is in that year (SPEC §3.3): the gross invoiced minimum is shown, met whatever the
    amount, and marked exempt.
    """
    found: list[Criterion] = []
    gross = measures.gross_invoiced.quantize(Decimal("0.01"))
    threshold = tier.min_gross_invoiced.quantize(Decimal("0.01"))
    if threshold and gross_exempt:
        found.append(
            Criterion(
                "gross_invoiced",
                GROSS_LABEL,
                gross,
                threshold,
                AT_LEAST,
                currency,
                passed=True,
                exempt=True,
                note="No minimum in the year the partner joined the programme.",
            )
        )
    elif threshold:
        found.append(_at_least("gross_invoiced", GROSS_LABEL, gross, threshold, currency))
    if tier.level1_support_required:
        found.append(
            Criterion(
                "level1_support",
                "Level-1 technical support provided",
                measures.level1_support,
                True,
                REQUIRED,
                "yes_no",
                measures.level1_support,
            )
        )
    if tier.min_certified_sales:
        found.append(
            _at_least(
                "certified_sales",
                "Certified sales professionals",
                measures.certified_sales,
                tier.min_certified_sales,
                "count",
            )
        )
    if tier.min_certified_technical:
        found.append(
            _at_least(
                "certified_technical",
                "Certified technical experts",
                measures.certified_technical,
                tier.min_certified_technical,
                "count",
            )
        )
    if tier.min_pes:
        found.append(
            _at_least(
                "pes", "Engagement score, trailing 12 months", measures.pes, tier.min_pes, "points"
            )
        )
    if tier.min_partner_owned_share is not None:
        found.append(
            _at_least(
                "partner_owned_share",
                "Partner-owned share of the quarter's customer sales",
                share(measures.partner_owned, measures.sales),
                tier.min_partner_owned_share.quantize(Decimal("0.1")),
                "percent",
            )
        )
    if tier.max_co_led_share is not None:
        found.append(
            _at_most(
                "co_led_share",
                "Co-led share of the quarter's customer sales",
                share(measures.co_led, measures.sales),
                tier.max_co_led_share.quantize(Decimal("0.1")),
                "percent",
            )
        )
    if tier.max_late_involvement_share is not None:
        found.append(
            _at_most(
                "late_involvement_share",
                "Late-involvement share of the quarter's customer sales",
                share(measures.late_involvement, measures.sales),
                tier.max_late_involvement_share.quantize(Decimal("0.1")),
                "percent",
            )
        )
    if tier.min_webinars:
        found.append(
            _at_least(
                "sessions",
                "Webinars and enablement sessions, trailing 12 months",
                measures.sessions,
                tier.min_webinars,
                "count",
            )
        )
    return found


def all_passed(criteria: list[Criterion]) -> bool:
    """A quarter passes only if every criterion passes (SPEC §3.3)."""
    return all(c.passed for c in criteria)


def gross_exempt(*, joined_on, exemption_year: int | None, year: int) -> bool:
    """Partners that joined in the programme's exemption year have no gross invoiced
    minimum for that year (Vates: joined during 2026, SPEC §3.3)."""
    return (
        exemption_year is not None
        and joined_on is not None
        and joined_on.year == exemption_year == year
    )


_COUNTED = {
    "certified_sales": "Have {n} more certified sales professional{s}",
    "certified_technical": "Have {n} more certified technical expert{s}",
    "pes": "Earn {n} more engagement point{s} over 12 months",
    "sessions": "Attend {n} more webinar{s} or enablement session{s} over 12 months",
}


def need_in_words(criterion: Criterion) -> str:
    """What is missing for one criterion that does not pass, in plain words."""
    c = criterion
    if c.name == "gross_invoiced":
        return (
            f"Invoice {c.missing:,.0f} {c.unit} more over the last 12 months "
            f"({c.threshold:,.0f} {c.unit} needed)"
        )
    if c.name == "level1_support":
        return "Have your level-1 technical support validated by the channel team"
    if c.name in _COUNTED:
        n = int(c.missing)
        return _COUNTED[c.name].format(n=n, s="" if n == 1 else "s")
    if c.name == "partner_owned_share":
        return (
            f"Register at least {c.threshold:.0f}% of the quarter's customer sales as "
            f"partner-owned deals (now {c.value}%)"
        )
    if c.name == "co_led_share":
        return f"Bring co-led sales down to {c.threshold:.0f}% of the quarter's (now {c.value}%)"
    if c.name == "late_involvement_share":
        return (
            f"Bring late-involvement sales down to {c.threshold:.0f}% of the quarter's "
            f"(now {c.value}%): register your deals before you quote"
        )
    return c.label
