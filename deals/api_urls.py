"""The deals app's API routes; each area keeps its own list in deals/api/<area>.py."""

from deals.api import referrals, registrations

urlpatterns = [
    *registrations.urlpatterns,
    *referrals.urlpatterns,
]
