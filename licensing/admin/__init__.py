"""The channel team's licensing admin; each area registers its models in its own module."""

from licensing.admin import catalogue, licences, trials  # noqa: F401 (registers the ModelAdmins)
