"""The channel team's licensing admin; each area registers its models in its own module."""

from licensing.admin import (  # noqa: F401 (registers the ModelAdmins)
    activation,
    catalogue,
    licences,
    links,
    trials,
)
