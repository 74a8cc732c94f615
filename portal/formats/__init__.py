"""The one way the portal writes dates and times, on pages, in emails, PDFs and the admin:
"29 Nov 2026" and "29 Nov 2026, 07:03 UTC".

Django reads the formats of the active language from ``<FORMAT_MODULE_PATH>.<lang>.formats``
(settings name this package), so templates write ``{{ value|date }}`` and
``{{ value|date:"DATETIME_FORMAT" }}`` and the admin follows. Emails are rendered from
JSON-safe contexts (the outbox stores them), so services format their timestamps here
before they queue a message, never as ISO strings.
"""

from __future__ import annotations

import datetime

from django.utils import dateformat, timezone

DATE_FORMAT = "j M Y"
DATETIME_FORMAT = "j M Y, H:i T"


def format_date(value: datetime.date | datetime.datetime) -> str:
    """A date, or the UTC date of an aware datetime, e.g. "29 Nov 2026"."""
    if isinstance(value, datetime.datetime):
        value = timezone.localtime(value, datetime.UTC).date()
    return dateformat.format(value, DATE_FORMAT)


def format_datetime(value: datetime.datetime) -> str:
    """An aware datetime in UTC, e.g. "29 Nov 2026, 07:03 UTC"."""
    return dateformat.format(timezone.localtime(value, datetime.UTC), DATETIME_FORMAT)
