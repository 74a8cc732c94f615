"""Rules on raw input that the API's serializers and the pages' forms share.

Python's ``int()`` reads any Unicode decimal digit: U+0661 (ARABIC-INDIC DIGIT ONE) is 1, and
"²".isdigit() is true although ``int("²")`` fails. A number field takes the digits 0-9
only, so what is stored is what a reviewer reads back, and nothing unparsed reaches a query.
"""

from __future__ import annotations

NUMBER_DIGITS_MESSAGE = "Write the number with the digits 0-9."


def non_ascii_number_text(value) -> bool:
    """True for text that a number field must refuse before converting it."""
    return isinstance(value, str) and not value.isascii()


def is_ascii_digits(value) -> bool:
    """A primary key or similar given as text: ASCII digits only."""
    text = str(value)
    return text.isascii() and text.isdigit()
