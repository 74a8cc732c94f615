"""Licensing routes: redemption (see tests/routes/cases.py for the kinds of route)."""

ROUTES: dict[str, object] = {}
