"""The channel team's pages of the engagement programme."""

from pes.admin import status  # noqa: F401  (registers the status pages)
