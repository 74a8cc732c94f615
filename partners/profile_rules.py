"""The locator profile's description rule (SPEC §3.8), shared by the profile service
(which refuses a description out of range) and the directory selector (which lists only
profiles within it), so that the two never disagree on a number."""

DESCRIPTION_MIN_WORDS = 30
DESCRIPTION_MAX_WORDS = 100


def word_count(text: str) -> int:
    """Words are runs of anything but whitespace (the selector counts the same in SQL)."""
    return len(text.split())
