"""Review times counted in business days (Monday to Friday, UTC): SPEC §3.10 gives orders'
payments one business day. A weekend does not count: something that arrives on Saturday
starts waiting on Monday at midnight, and on Monday something from Friday has waited one
business day at most.

``business_due`` says when a review is due; ``business_cutoff`` turns "past the review
time now" into one comparison a query can make (``arrived_at < cutoff``), so the admin's
list, its filter and the home page's counts agree with the age each row shows."""

from __future__ import annotations

import datetime

SATURDAY = 5
_DAY = datetime.timedelta(days=1)


def _midnight(moment: datetime.datetime) -> datetime.datetime:
    return moment.replace(hour=0, minute=0, second=0, microsecond=0)


def _forward_to_weekday(moment: datetime.datetime) -> datetime.datetime:
    """A weekend moment becomes the next Monday at midnight; a weekday one is kept."""
    weekday = moment.weekday()
    if weekday < SATURDAY:
        return moment
    return _midnight(moment) + (7 - weekday) * _DAY


def _back_to_weekday(moment: datetime.datetime) -> datetime.datetime:
    """A weekend moment becomes the end of Friday (Saturday at midnight)."""
    weekday = moment.weekday()
    if weekday < SATURDAY:
        return moment
    return _midnight(moment) - (weekday - SATURDAY) * _DAY


def business_due(arrived_at: datetime.datetime, days: int) -> datetime.datetime:
    """``days`` business days after ``arrived_at`` (a weekend arrival counts from Monday)."""
    start = _forward_to_weekday(arrived_at)
    weekday = start.weekday()
    return start + (days + 2 * ((weekday + days) // 5)) * _DAY


def business_cutoff(now: datetime.datetime, days: int) -> datetime.datetime:
    """What arrived before this moment is past a review time of ``days`` business days
    at ``now``: ``business_due(t, days) < now`` exactly when ``t < business_cutoff(now,
    days)``."""
    end = _back_to_weekday(now)
    if end.weekday() == SATURDAY:  # Saturday at midnight: the end of Friday
        cutoff = end - (days + 2 * (days // 5)) * _DAY
    else:
        cutoff = end - (days + 2 * ((4 - end.weekday() + days) // 5)) * _DAY
    if cutoff.weekday() == 0 and cutoff == _midnight(cutoff):
        # A weekend arrival counts from Monday at midnight: due exactly now, not late.
        cutoff -= 2 * _DAY
    return cutoff


def business_time_between(start: datetime.datetime, end: datetime.datetime) -> datetime.timedelta:
    """The weekday time from ``start`` to ``end`` (zero when ``end`` is not later)."""
    start, end = _forward_to_weekday(start), _back_to_weekday(end)
    if end <= start:
        return datetime.timedelta(0)
    weeks = (end - start).days // 7
    rest = start + weeks * 7 * _DAY
    elapsed = end - start - weeks * 2 * _DAY
    next_saturday = _midnight(rest) + (SATURDAY - rest.weekday()) * _DAY
    if end > next_saturday:
        elapsed -= 2 * _DAY
    return elapsed
