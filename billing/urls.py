"""Pages of the billing app (namespace "billing"): the reseller-space pages under /space/
and the end customer's redemption-code page (no account) at /redeem-code/.
Each area keeps its own list in billing/views/<area>.py."""

from django.urls import include, path

from billing.views import order_new, orders, redeem_code

app_name = "billing"

space_urlpatterns = [
    *orders.urlpatterns,
    *order_new.urlpatterns,
]

urlpatterns = [
    *redeem_code.public_urlpatterns,
    path("space/", include(space_urlpatterns)),
]
