"""The channel team's admin for the partners app, one module per area."""

from partners.admin import (  # noqa: F401
    applications,
    marketing,
    organisations,
    programme,
    sessions,
    training,
)
