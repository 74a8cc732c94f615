"""The channel team's admin for the deals app, one module per area."""

from deals.admin import referrals, registrations  # noqa: F401
