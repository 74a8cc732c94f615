"""The price preview (SPEC §3.5) as the API and the calculator page ask for it: the
caller's own sale, or (distributors) a sale of a reseller attached to it, priced in that
reseller's context so that both layers are priced exactly as the reseller's order would
be."""

from __future__ import annotations

from billing.services.credits import credit_quote_request, credit_sale_request
from billing.services.pricing import Pricing, price_sale
from billing.services.sale_input import sale_request_build
from billing.services.two_tier import acting_for_reseller, attached_reseller
from partners.models import Organisation


def pricing_preview(
    *, organisation: Organisation, data: dict, for_quote: bool = False
) -> tuple[Pricing, bool]:
    """``data``: the preview's keys (billing.services.sale_input) and ``reseller``, an
    attached reseller's id or None. Returns the pricing and whether the caller reads it
    as the distributor (both price layers). ``for_quote``: priced as the quote will be
    (a first sale as one, never the balance: billing.services.credits)."""
    data = dict(data)
    reseller_id = data.pop("reseller", None)
    if reseller_id in (None, ""):
        sale = sale_request_build(organisation=organisation, data=data)
        credited = credit_quote_request if for_quote else credit_sale_request
        return price_sale(credited(sale=sale)), False
    reseller = attached_reseller(distributor=organisation, reseller_id=reseller_id)
    with acting_for_reseller(distributor=organisation, reseller=reseller):
        return price_sale(sale_request_build(organisation=reseller, data=data)), True
