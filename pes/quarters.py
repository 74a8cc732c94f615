"""Calendar quarters, the evaluation's periods (SPEC §3.3): ``2026Q3`` runs from 1 July to
30 September 2026; its trailing twelve months from 1 October 2025."""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass

_PATTERN = re.compile(r"^\s*(\d{4})\s*-?\s*Q([1-4])\s*$", re.IGNORECASE)


@dataclass(frozen=True, order=True)
class Quarter:
    year: int
    number: int

    @classmethod
    def parse(cls, text: str) -> Quarter:
        """``2026Q3`` (also ``2026-Q3``, ``2026q3``); ValueError otherwise."""
        match = _PATTERN.match(text or "")
        if match is None:
            raise ValueError(f"'{text}' is not a quarter: write it like 2026Q3.")
        return cls(int(match.group(1)), int(match.group(2)))

    @classmethod
    def containing(cls, day: datetime.date) -> Quarter:
        return cls(day.year, (day.month - 1) // 3 + 1)

    def __str__(self) -> str:
        return f"{self.year}Q{self.number}"

    @property
    def label(self) -> str:
        return f"{self.year} Q{self.number}"

    @property
    def start(self) -> datetime.date:
        return datetime.date(self.year, 3 * self.number - 2, 1)

    @property
    def end(self) -> datetime.date:
        return self.next().start - datetime.timedelta(days=1)

    @property
    def trailing_start(self) -> datetime.date:
        """The first day of the twelve months that end with this quarter."""
        return Quarter(self.year - 1, self.number).next().start

    def next(self) -> Quarter:
        if self.number == 4:
            return Quarter(self.year + 1, 1)
        return Quarter(self.year, self.number + 1)

    def previous(self) -> Quarter:
        if self.number == 1:
            return Quarter(self.year - 1, 4)
        return Quarter(self.year, self.number - 1)

    def of_year(self) -> list[Quarter]:
        """The quarters of this quarter's calendar year up to and including it."""
        return [Quarter(self.year, n) for n in range(1, self.number + 1)]
