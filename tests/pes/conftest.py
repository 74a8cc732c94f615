"""Engagement and tiers: the Vates programme and partners of its types and tiers (the
billing tests' fixtures)."""

from tests.billing.conftest import partner, vates, vates_committed  # noqa: F401
