"""Pages of the billing app (namespace "billing"): the reseller-space pages under /space/,
and the end customer's quote page (no account) under /quote/.
Each area keeps its own list in billing/views/<area>.py."""

from django.urls import include, path

from billing.views import accounts, orders, pricing, quote_signature, quotes, resellers

app_name = "billing"

space_urlpatterns = [
    *orders.urlpatterns,
    *quotes.urlpatterns,
    *accounts.urlpatterns,
    *resellers.urlpatterns,
    *pricing.urlpatterns,
]

urlpatterns = [
    path("space/", include(space_urlpatterns)),
    *quote_signature.urlpatterns,
]
