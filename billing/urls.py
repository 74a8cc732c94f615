"""Pages of the billing app (namespace "billing"): the reseller-space pages under /space/.
Each area keeps its own list in billing/views/<area>.py."""

from django.urls import include, path

from billing.views import order_new, orders

app_name = "billing"

space_urlpatterns = [
    *orders.urlpatterns,
    *order_new.urlpatterns,
]

urlpatterns = [
    path("space/", include(space_urlpatterns)),
]
