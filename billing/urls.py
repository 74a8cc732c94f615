"""Pages of the billing app (namespace "billing"): the reseller-space pages under /space/,
and the end customer's pages (no account): the quote to sign under /quote/ and the
redemption-code page at /redeem-code/.
Each area keeps its own list in billing/views/<area>.py."""

from django.urls import include, path

from billing.views import (
    accounts,
    credits,
    invoices,
    mdf,
    order_new,
    orders,
    payments,
    pricing,
    quote_signature,
    quotes,
    redeem_code,
    renewals,
    resellers,
    upgrades,
)

app_name = "billing"

space_urlpatterns = [
    *orders.urlpatterns,
    *order_new.urlpatterns,
    *quotes.urlpatterns,
    *accounts.urlpatterns,
    *invoices.urlpatterns,
    *resellers.urlpatterns,
    *pricing.urlpatterns,
    *payments.urlpatterns,
    *credits.urlpatterns,
    *mdf.urlpatterns,
    *renewals.urlpatterns,
    *upgrades.urlpatterns,
]

urlpatterns = [
    *redeem_code.public_urlpatterns,
    path("space/", include(space_urlpatterns)),
    *quote_signature.urlpatterns,
]
