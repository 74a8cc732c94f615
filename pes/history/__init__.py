"""Past activity written in bulk: a year of sales, invoices, engagement points, sessions
attended and training records for many partners at once, back-dated.

The demo (pes.demo_history) and the evaluation benchmark (bench/evaluation.py) need
quarters of history that the services cannot make: they write the present only, one
order at a time, with the audit, the emails and the PDFs of each. Here a ``History`` is
described first (``History.sale``, ``History.points``, ...), then ``history_write`` inserts
every row of it with one bulk INSERT per table, in the caller's system context.

The rows are the ones the services would have left, with the dates of the past:

* a customer sale: its order (reseller space, ``created_at`` the day it was placed) with
  one line; a new sale issues its licence, a renewal or an upgrade names the licence it
  changed (a renewal extends it by a year); its invoice to the party invoiced (the partner,
  or its distributor in a two-tier sale) with ``gross_amount``, ``usd_rate`` and
  ``gross_usd`` at the rate of its ``issued_on``; a partner-owned or co-led sale is linked
  to the deal registration it won. A cancelled order's invoice is credited in full; a
  sale may carry a partial credit note.
* internal use: a personal-space order with its NFR licence and its invoice (never
  counted for tiers).
* points: ledger entries (adjustments, awarded events, or approved claims with their
  ``Claim`` row).
* a webinar attended: the month's history webinar (made once, platform data) and an
  attended registration of the member.
* sales training attended and technical certifications of members.

Numbers come from the real counters: orders and deal registrations take a block of the
year's ``ReferenceCounter``, invoices and credit notes a block of the series' and year's
``InvoiceCounter``, advanced in the same transaction, so documents issued later continue
after them and no number is given twice. No audit records, emails or PDFs: this is the
past, not something happening now.
"""

from __future__ import annotations

from collections import Counter

from django.db import transaction

from pes.history.engagement import write_attendances, write_points, write_training
from pes.history.plan import History, Person, Points, Sale
from pes.history.sales import HISTORY_SOURCE, SalesWriter

__all__ = ["HISTORY_SOURCE", "History", "Person", "Points", "Sale", "history_write"]


def history_write(*, history: History) -> Counter:
    """Insert every row of ``history`` in bulk, in one transaction, and count them by
    kind. Runs in the caller's system context: a two-tier sale's invoice belongs to the
    distributor, the webinars to nobody."""
    written = Counter()
    with transaction.atomic():
        if history.sales:
            written.update(SalesWriter(history.sales).write())
        write_points(history.points_entries, written)
        write_attendances(history.attendances, written)
        write_training(history, written)
    return written
