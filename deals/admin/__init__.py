"""The channel team's admin for the deals app, one module per area."""

from deals.admin import registrations  # noqa: F401
