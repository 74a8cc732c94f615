"""Review times in business days (portal.business_days): the weekend does not count, and
the query's cutoff agrees with the age each row shows, whatever the moments."""

from __future__ import annotations

import datetime
import random

import pytest

from portal.business_days import business_cutoff, business_due, business_time_between

UTC = datetime.UTC
DAY = datetime.timedelta(days=1)


def at(day: str, time: str = "12:00") -> datetime.datetime:
    return datetime.datetime.fromisoformat(f"{day}T{time}").replace(tzinfo=UTC)


# 2026-03-02 is a Monday.
@pytest.mark.parametrize(
    ("arrived", "days", "due"),
    [
        (at("2026-03-02"), 1, at("2026-03-03")),  # Monday: Tuesday
        (at("2026-03-06"), 1, at("2026-03-09")),  # Friday: Monday
        (at("2026-03-05"), 2, at("2026-03-09")),  # Thursday + 2: Monday
        (at("2026-03-07", "09:30"), 1, at("2026-03-10", "00:00")),  # Saturday: from Monday
        (at("2026-03-08"), 1, at("2026-03-10", "00:00")),  # Sunday: from Monday
        (at("2026-03-06"), 10, at("2026-03-20")),  # two working weeks
    ],
)
def test_due_skips_the_weekend(arrived, days, due):
    assert business_due(arrived, days) == due


def test_the_time_waited_leaves_the_weekend_out():
    friday, monday = at("2026-03-06", "16:00"), at("2026-03-09", "10:00")
    assert business_time_between(friday, monday) == datetime.timedelta(hours=18)
    assert business_time_between(at("2026-03-07"), at("2026-03-08")) == datetime.timedelta(0)
    assert business_time_between(monday, friday) == datetime.timedelta(0)
    assert business_time_between(at("2026-03-02"), at("2026-03-16")).days == 10


def test_the_cutoff_agrees_with_the_due_time_and_the_age():
    rng = random.Random(11)  # a reproducible sample
    start = at("2026-01-01", "00:00")
    for _ in range(20_000):
        arrived = start + datetime.timedelta(minutes=rng.randrange(0, 60 * 24 * 90))
        now = arrived + datetime.timedelta(minutes=rng.randrange(-60 * 24 * 3, 60 * 24 * 40))
        if rng.random() < 0.2:  # midnights are where the edges are
            arrived = arrived.replace(hour=0, minute=0)
        if rng.random() < 0.2:
            now = now.replace(hour=0, minute=0)
        days = rng.randint(1, 10)
        late = business_due(arrived, days) < now
        assert (arrived < business_cutoff(now, days)) == late, (arrived, now, days)
        assert (business_time_between(arrived, now) > days * DAY) == late, (arrived, now, days)
