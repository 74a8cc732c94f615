"""The channel team's admin for the billing app, one module per area."""

from billing.admin import (  # noqa: F401 - registers the admins
    invoices,
    mdf,
    orders,
    payments,
    quotes,
    settings,
)
