"""Property: a sale's amounts are the same whichever path asks (the preview, a quote, the
order converted from it), and a quote's totals are the sums of its lines."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from billing.services.pricing import price_sale
from billing.services.quotes import quote_convert
from billing.services.sale_input import sale_request_build
from portal.tenancy.context import tenant_context
from tests.billing.quote_support import FR_VAT, make_quote, private_media  # noqa: F401

pytestmark = pytest.mark.usefixtures("private_media")

AMOUNTS = ("list_amount", "charity_discount", "gross_amount", "partner_discount", "net_amount")
LINE = st.one_of(
    st.fixed_dictionaries(
        {"product": st.sampled_from(["essential", "essential-plus"]), "quantity": st.integers(1, 3)}
    ),
    st.fixed_dictionaries({"product": st.just("pro"), "quantity": st.integers(3, 500)}),
)


@settings(
    max_examples=15,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    lines=st.lists(LINE, min_size=1, max_size=4),
    nonprofit=st.booleans(),
    period=st.sampled_from(["yearly", "monthly"]),
    country=st.sampled_from(["DE", "FR", "US", "GB"]),
)
def test_preview_quote_and_order_agree(partner, lines, nonprofit, period, country):
    reseller = partner("reseller", tier=2, country="FR", vat_number=FR_VAT)
    fields = {
        "lines": lines,
        "customer_nonprofit": nonprofit,
        "billing_period": period,
        "customer_country": country,
    }
    quote = make_quote(reseller, **fields)
    with tenant_context(reseller.organisation.pk):
        preview = price_sale(sale_request_build(organisation=reseller.organisation, data=fields))
        order = quote_convert(quote=quote, actor=reseller.admin, role="admin").order
        quote_lines = list(quote.lines.all())
        order_lines = list(order.lines.all())
    for name in AMOUNTS:
        assert getattr(quote, name) == getattr(preview, name) == getattr(order, name), name
        assert getattr(quote, name) == sum(getattr(line, name) for line in quote_lines), name
    assert quote.tax == preview.tax_amount == order.tax
    assert quote.total == preview.total == order.total == quote.net_amount + quote.tax
    assert quote.net_amount >= 0
    assert [(ln.product_code, ln.quantity, ln.total) for ln in quote_lines] == [
        (ln.product_code, ln.quantity, ln.total) for ln in order_lines
    ]
