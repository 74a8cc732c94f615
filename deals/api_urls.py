"""The deals app's API routes; each area keeps its own list in deals/api/<area>.py."""

from deals.api import registrations

urlpatterns = [
    *registrations.urlpatterns,
]
