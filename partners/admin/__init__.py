"""The channel team's admin for the partners app, one module per area."""

from partners.admin import applications, organisations, programme, training  # noqa: F401
