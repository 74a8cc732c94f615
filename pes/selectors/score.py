"""The engagement score (SPEC §3.9): the points *earned* over a period (approved claims,
events, staff adjustments), by category. Redemptions spend the redeemable balance and
never lower the score a tier asks for."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.db.models import Q, Sum

from pes.models import Category, PointsEntry, Redemption
from pes.quarters import Quarter

EARNED = ~Q(kind=PointsEntry.Kind.REDEMPTION)


@dataclass(frozen=True)
class CategoryScore:
    code: str
    label: str
    points: int


@dataclass(frozen=True)
class Score:
    start: datetime.date
    end: datetime.date
    total: int
    categories: list[CategoryScore]


def trailing_window(on: datetime.date) -> tuple[datetime.date, datetime.date]:
    """The twelve months ending on ``on`` (inclusive): from the same day a year earlier,
    plus one day."""
    try:
        start = on.replace(year=on.year - 1)
    except ValueError:  # 29 February
        start = on.replace(year=on.year - 1, day=28)
    return start + datetime.timedelta(days=1), on


def score_of(*, organisation, start: datetime.date, end: datetime.date) -> Score:
    """The organisation's score over [start, end] with its breakdown. One query."""
    rows = dict(
        PointsEntry.objects.filter(EARNED, organisation=organisation, earned_on__range=(start, end))
        .values("category")
        .annotate(points=Sum("points"))
        .values_list("category", "points")
    )
    categories = [CategoryScore(c.value, c.label, rows.get(c.value) or 0) for c in Category]
    # Adjustments carry no category: they count in the total only.
    return Score(start=start, end=end, total=sum(rows.values()), categories=categories)


def trailing_score(*, organisation, on: datetime.date) -> Score:
    start, end = trailing_window(on)
    return score_of(organisation=organisation, start=start, end=end)


def quarter_trailing_score(*, organisation, quarter: Quarter) -> Score:
    return score_of(organisation=organisation, start=quarter.trailing_start, end=quarter.end)


def redeemable_balance(*, organisation) -> int:
    """Every point earned, less every point redeemed or held by a redemption waiting for
    review. Two queries."""
    earned = (
        PointsEntry.objects.filter(organisation=organisation).aggregate(n=Sum("points"))["n"] or 0
    )
    held = (
        Redemption.objects.filter(
            organisation=organisation, status=Redemption.Status.REQUESTED
        ).aggregate(n=Sum("points"))["n"]
        or 0
    )
    return earned - held
