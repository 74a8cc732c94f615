"""The billing app's API routes; each area keeps its own list in billing/api/<area>.py."""

from billing.api import (
    accounts,
    credits,
    invoices,
    licence_sales,
    mdf,
    orders,
    payments,
    pricing,
    quotes,
    renewals,
    resellers,
)

urlpatterns = [
    *pricing.urlpatterns,
    *quotes.urlpatterns,
    *orders.urlpatterns,
    *accounts.urlpatterns,
    *resellers.urlpatterns,
    *invoices.urlpatterns,
    *payments.urlpatterns,
    *credits.urlpatterns,
    *renewals.urlpatterns,
    *licence_sales.urlpatterns,
    *mdf.urlpatterns,
]
