"""The channel team's admin for the billing app, one module per area."""

from billing.admin import orders, payments, quotes, settings  # noqa: F401 - registers the admins
