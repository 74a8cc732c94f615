"""The billing app's API routes; each area keeps its own list in billing/api/<area>.py."""

from billing.api import orders, pricing

urlpatterns = [
    *pricing.urlpatterns,
    *orders.urlpatterns,
]
