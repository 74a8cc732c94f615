"""The billing app's API routes; each area keeps its own list in billing/api/<area>.py."""

from billing.api import accounts, invoices, orders, payments, pricing, quotes, resellers

urlpatterns = [
    *pricing.urlpatterns,
    *quotes.urlpatterns,
    *orders.urlpatterns,
    *accounts.urlpatterns,
    *resellers.urlpatterns,
    *invoices.urlpatterns,
    *payments.urlpatterns,
]
