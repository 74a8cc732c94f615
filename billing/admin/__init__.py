"""The channel team's admin for the billing app, one module per area."""

from billing.admin.quotes import QuoteAdmin

__all__ = ["QuoteAdmin"]
