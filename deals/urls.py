"""Pages of the deals app (namespace "deals"): the reseller-space pages under /space/.
Each area keeps its own list in deals/views/<area>.py."""

from django.urls import include, path

from deals.views import referrals, registrations

app_name = "deals"

space_urlpatterns = [
    *registrations.urlpatterns,
    *referrals.urlpatterns,
]

urlpatterns = [
    path("space/", include(space_urlpatterns)),
]
