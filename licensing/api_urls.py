"""The licensing app's API routes; each area keeps its own list in licensing/api/<area>.py."""

from licensing.api import activation

urlpatterns: list = [
    *activation.urlpatterns,
]
