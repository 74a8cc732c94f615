"""A tier's requirements (SPEC §3.2) checked against measured figures: one ``Criterion``
per requirement that applies, each with the measured value, the threshold and pass/fail.
Pure functions: the evaluation (all partners at once), the tier status API and the
dashboard all judge with ``criteria_for``.

A requirement left empty on the tier ("optional", "on request") is not a criterion.
Shares are of the quarter's customer sales by count; a quarter without customer sales
has a 0 % partner-owned share (and 0 % co-led and late-involvement shares).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from pes.measures import Measures

AT_LEAST = "at_least"
AT_MOST = "at_most"
REQUIRED = "required"
HUNDRED = Decimal("100")
CENT = Decimal("0.01")
TENTH = Decimal("0.1")
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
    return (Decimal(part) * HUNDRED / Decimal(total)).quantize(TENTH, rounding=ROUND_HALF_UP)


@dataclass(frozen=True, slots=True)
class Requirement:
    """One requirement of a tier that applies, ready to judge any partner's measures:
    ``criteria_for`` (every criterion, with its figures) and ``meets`` (pass or fail only,
    for the evaluation's upgrade and transition checks) judge with the same ones."""

    name: str
    label: str
    threshold: Decimal | int | bool
    comparison: str
    unit: str
    value_of: Callable[[Measures], Decimal | int | bool]

    def passes(self, value) -> bool:
        if self.comparison == AT_LEAST:
            return value >= self.threshold
        if self.comparison == AT_MOST:
            return value <= self.threshold
        return bool(value)


def _gross(m: Measures) -> Decimal:
    return m.gross_invoiced.quantize(CENT)


def requirements_of(tier, currency: str) -> list[Requirement]:
    """The tier's requirements that apply (an empty one is "optional" / "on request"),
    in the order SPEC §3.2 lists them."""
    # Cached on the tier object, keyed by its values: an edited tier is compiled again.
    key = (
        currency,
        tier.min_gross_invoiced,
        tier.level1_support_required,
        tier.min_certified_sales,
        tier.min_certified_technical,
        tier.min_pes,
        tier.min_partner_owned_share,
        tier.max_co_led_share,
        tier.max_late_involvement_share,
        tier.min_webinars,
    )
    cache = tier.__dict__.setdefault("_pes_requirements", {})
    if key in cache:
        return cache[key]
    found: list[Requirement] = []
    if tier.min_gross_invoiced:
        found.append(
            Requirement(
                "gross_invoiced",
                GROSS_LABEL,
                tier.min_gross_invoiced.quantize(CENT),
                AT_LEAST,
                currency,
                _gross,
            )
        )
    if tier.level1_support_required:
        found.append(
            Requirement(
                "level1_support",
                "Level-1 technical support provided",
                True,
                REQUIRED,
                "yes_no",
                lambda m: m.level1_support,
            )
        )
    if tier.min_certified_sales:
        found.append(
            Requirement(
                "certified_sales",
                "Certified sales professionals",
                tier.min_certified_sales,
                AT_LEAST,
                "count",
                lambda m: m.certified_sales,
            )
        )
    if tier.min_certified_technical:
        found.append(
            Requirement(
                "certified_technical",
                "Certified technical experts",
                tier.min_certified_technical,
                AT_LEAST,
                "count",
                lambda m: m.certified_technical,
            )
        )
    if tier.min_pes:
        found.append(
            Requirement(
                "pes",
                "Engagement score, trailing 12 months",
                tier.min_pes,
                AT_LEAST,
                "points",
                lambda m: m.pes,
            )
        )
    if tier.min_partner_owned_share is not None:
        found.append(
            Requirement(
                "partner_owned_share",
                "Partner-owned share of the quarter's customer sales",
                tier.min_partner_owned_share.quantize(TENTH),
                AT_LEAST,
                "percent",
                lambda m: share(m.partner_owned, m.sales),
            )
        )
    if tier.max_co_led_share is not None:
        found.append(
            Requirement(
                "co_led_share",
                "Co-led share of the quarter's customer sales",
                tier.max_co_led_share.quantize(TENTH),
                AT_MOST,
                "percent",
                lambda m: share(m.co_led, m.sales),
            )
        )
    if tier.max_late_involvement_share is not None:
        found.append(
            Requirement(
                "late_involvement_share",
                "Late-involvement share of the quarter's customer sales",
                tier.max_late_involvement_share.quantize(TENTH),
                AT_MOST,
                "percent",
                lambda m: share(m.late_involvement, m.sales),
            )
        )
    if tier.min_webinars:
        found.append(
            Requirement(
                "sessions",
                "Webinars and enablement sessions, trailing 12 months",
                tier.min_webinars,
                AT_LEAST,
                "count",
                lambda m: m.sessions,
            )
        )
    cache[key] = found
    return found


EXEMPT_NOTE = "No minimum in the year the partner joined the programme."


def criteria_for(
    *, tier, measures: Measures, currency: str, gross_exempt: bool = False
) -> list[Criterion]:
    """Every requirement of ``tier`` that applies, judged on ``measures``.

    ``gross_exempt``: the partner joined in the programme's exemption year and the period
    is in that year (SPEC §3.3): the gross invoiced minimum is shown, met whatever the
    amount, and marked exempt.
    """
    found = []
    for r in requirements_of(tier, currency):
        value = r.value_of(measures)
        if gross_exempt and r.name == "gross_invoiced":
            found.append(
                Criterion(
                    r.name,
                    r.label,
                    value,
                    r.threshold,
                    r.comparison,
                    r.unit,
                    True,
                    exempt=True,
                    note=EXEMPT_NOTE,
                )
            )
        else:
            found.append(
                Criterion(
                    r.name, r.label, value, r.threshold, r.comparison, r.unit, r.passes(value)
                )
            )
    return found


def meets(*, tier, measures: Measures, currency: str, gross_exempt: bool = False) -> bool:
    """``all_passed(criteria_for(...))`` without building the criteria."""
    return all(
        (gross_exempt and r.name == "gross_invoiced") or r.passes(r.value_of(measures))
        for r in requirements_of(tier, currency)
    )


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
