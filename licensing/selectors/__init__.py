"""Reads of the licensing app, one module per area."""
