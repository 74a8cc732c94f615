"""How a tier criterion reads on the status pages (the partner's dashboard and the channel
team's view of a partner share them): its value and threshold in words, and the width and
colour of its progress bar."""

from decimal import Decimal

from django import template
from django.contrib.humanize.templatetags.humanize import intcomma

from pes.criteria import AT_LEAST, AT_MOST, Criterion

register = template.Library()


def _amount(value, unit: str) -> str:
    if unit == "yes_no":
        return "Yes" if value else "No"
    if unit == "percent":
        return f"{Decimal(value):.1f}%"
    if unit == "points":
        return f"{intcomma(int(value))} points"
    if unit == "count":
        return str(int(value))
    return f"{intcomma(f'{Decimal(value):.0f}')} {unit}"  # a currency code


@register.filter
def criterion_value(criterion: Criterion) -> str:
    return _amount(criterion.value, criterion.unit)


@register.filter
def criterion_threshold(criterion: Criterion) -> str:
    """ "at least 10 USD", "at most 20.0%", "required"."""
    if criterion.comparison == AT_LEAST:
        return f"at least {_amount(criterion.threshold, criterion.unit)}"
    if criterion.comparison == AT_MOST:
        return f"at most {_amount(criterion.threshold, criterion.unit)}"
    return "(required)"


@register.filter
def criterion_bar(criterion: Criterion) -> int:
    """0-100: a minimum's progress towards it; a maximum's value against its ceiling
    (full once over it); a yes/no requirement full when met."""
    if criterion.comparison == AT_MOST:
        threshold = Decimal(criterion.threshold)
        if not threshold:
            return 0 if criterion.passed else 100
        return int(min(Decimal(criterion.value) / threshold, 1) * 100)
    return criterion.progress


@register.filter
def criterion_colour(criterion: Criterion) -> str:
    """A Bootstrap background: green when met, red when a ceiling is exceeded, blue while
    a minimum is still being worked towards."""
    if criterion.passed:
        return "bg-success"
    if criterion.comparison == AT_LEAST:
        return "bg-primary"
    return "bg-danger"


QUARTER_STATES = {
    "passed": ("Passed", "text-bg-success"),
    "failed": ("Failed", "text-bg-danger"),
    "in_progress": ("In progress", "text-bg-info"),
    "not_evaluated": ("Not evaluated", "text-bg-light border"),
}


@register.filter
def quarter_state(result, current) -> tuple[str, str]:
    """(label, badge classes) of one quarter of the year; a quarter after ``current``
    (the quarter in progress) is still to come."""
    if result.state == "not_evaluated" and result.quarter > current:
        return ("To come", "text-bg-light border text-body-secondary")
    return QUARTER_STATES[result.state]


@register.filter
def as_criteria(stored: list[dict]) -> list[Criterion]:
    """An evaluation's stored criteria (``TierEvaluation.criteria``) as ``Criterion``."""
    return [Criterion.from_json(item) for item in stored or []]
