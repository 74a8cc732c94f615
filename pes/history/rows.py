"""Low-level helpers of the history writer: back-dated timestamps, blocks of document
numbers taken from the real counters, bulk inserts."""

from __future__ import annotations

import datetime
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager

from django.db import connection
from django.utils import timezone

from billing.models import InvoiceCounter
from deals.models import ReferenceCounter

BATCH = 2000


def at(day: datetime.date, hour: int = 10) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour)))


def year_later(day: datetime.date) -> datetime.date:
    try:
        return day.replace(year=day.year + 1)
    except ValueError:  # 29 February
        return day.replace(year=day.year + 1, day=28)


def _reserve(table: str, key_columns: tuple[str, str], counter: str, key, count: int) -> int:
    """Advance a counter row by ``count`` (creating it) and return the first number of the
    block taken. The caller's transaction holds the row until it commits, as one issue
    does (billing.services.invoices.invoice_number_next, deals' next_reference)."""
    a, b = key_columns
    with connection.cursor() as cursor:
        cursor.execute(
            f'INSERT INTO "{table}" ({a}, {b}, {counter}) VALUES (%s, %s, %s) '  # noqa: S608
            f'ON CONFLICT ({a}, {b}) DO UPDATE SET {counter} = "{table}".{counter} + %s '
            f"RETURNING {counter}",
            [*key, count, count],
        )
        return cursor.fetchone()[0] - count + 1


COUNTERS = {
    "reference": (ReferenceCounter._meta.db_table, ("prefix", "year"), "last"),
    "invoice": (InvoiceCounter._meta.db_table, ("series", "year"), "last_number"),
}


class Numbers:
    """Blocks of numbers, one per counter and year, reserved up front: ``needs`` counts
    ``("reference", prefix, year)`` (orders SO, deals DR) and ``("invoice", series, year)``."""

    def __init__(self, needs: Counter):
        self.next = {}
        for (kind, prefix, year), count in needs.items():
            table, columns, counter = COUNTERS[kind]
            self.next[(kind, prefix, year)] = _reserve(
                table, columns, counter, (prefix, year), count
            )

    def take(self, kind: str, prefix: str, year: int) -> int:
        number = self.next[(kind, prefix, year)]
        self.next[(kind, prefix, year)] = number + 1
        return number


@contextmanager
def dates_as_given(*models) -> Iterator[None]:
    """Keep the ``created_at`` (and ``updated_at``) the history sets: ``auto_now_add`` and
    ``auto_now`` would stamp the moment of writing on every row."""
    fields = [
        f
        for m in models
        for f in m._meta.concrete_fields
        if getattr(f, "auto_now_add", False) or getattr(f, "auto_now", False)
    ]
    saved = [(f, f.auto_now, f.auto_now_add) for f in fields]
    for f in fields:
        f.auto_now = f.auto_now_add = False
    try:
        yield
    finally:
        for f, auto_now, auto_now_add in saved:
            f.auto_now, f.auto_now_add = auto_now, auto_now_add


def bulk_insert(model, rows: list, *, ignore_conflicts: bool = False) -> None:
    with dates_as_given(model):
        model.objects.bulk_create(rows, batch_size=BATCH, ignore_conflicts=ignore_conflicts)
