"""The channel team's admin for the billing app, one module per area."""
