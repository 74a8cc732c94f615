"""Pages of the billing app (namespace "billing"): the reseller-space pages under /space/.
Each area keeps its own list in billing/views/<area>.py."""

from django.urls import include, path

from billing.views import accounts, orders, pricing, resellers

app_name = "billing"

space_urlpatterns = [
    *orders.urlpatterns,
    *accounts.urlpatterns,
    *resellers.urlpatterns,
    *pricing.urlpatterns,
]

urlpatterns = [
    path("space/", include(space_urlpatterns)),
]
