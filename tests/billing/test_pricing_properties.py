"""Properties of the pricing engine (SPEC §3.5), for random sales of the Vates catalogue:
every amount is a non-negative 2-place decimal, each step follows from the one before,
totals are the sums of their lines, and every path that prices a sale (the engine, the
preview API, an order, a quote and the order converted from it) gives the same amounts
for the same request."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from billing.models import Order, Quote, ResellerDiscount
from billing.services.documents import COPIED_LINE_FIELDS
from billing.services.orders import order_place
from billing.services.pricing import price_sale
from billing.services.quotes import COPIED_HEADER_FIELDS, quote_convert, quote_create
from billing.services.sale_input import sale_request_build
from licensing.models import Product
from tests.billing.conftest import make_partner
from tests.billing.factories import order_body
from tests.billing.test_pricing_rules import DE_VAT, FR_VAT, PREVIEW
from tests.deals.factories import make_deal
from tests.tenancy_support import observer

CENT = Decimal("0.01")
#: The amounts of a sale and of each line (the engine's name for the document's tax).
AMOUNTS = [
    "list_amount",
    "charity_discount",
    "gross_amount",
    "partner_discount",
    "credit_applied",
    "net_amount",
    "tax",
    "total",
]
#: (type, tier, country, VAT number, attached to the distributor): the partners who buy.
PROFILES = {
    "reseller-1-fr": ("reseller", 1, "FR", FR_VAT, False),
    "reseller-2-de": ("reseller", 2, "DE", "", False),
    "reseller-3-it": ("reseller", 3, "IT", "", False),
    "distributor-2-de": ("distributor", 2, "DE", DE_VAT, False),
    "csp-1-us": ("csp", 1, "US", "", False),
    "msp-2-fr": ("msp", 2, "FR", FR_VAT, False),
    "attached-1-fr": ("reseller", 1, "FR", FR_VAT, True),
}
USD_PRODUCTS = ["essential", "essential-plus", "pro"]
LIMITS = {"essential": (1, 3), "essential-plus": (1, 3), "pro": (3, 60), "enterprise": (4, 60)}
ENGAGEMENT = [None, "partner_owned", "co_led_partner", "co_led_vendor", "late_involvement"]

PROPERTY_SETTINGS = settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
PATH_SETTINGS = settings(
    max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)


@st.composite
def line(draw, codes):
    code = draw(st.sampled_from(codes))
    low, high = LIMITS[code]
    return {"product": code, "quantity": draw(st.integers(low, high))}


@st.composite
def sales(draw):
    """A request body and who asks: one currency per sale (EUR Enterprise alone)."""
    lines = draw(
        st.one_of(
            st.lists(line(USD_PRODUCTS), min_size=1, max_size=3),
            st.lists(line(["enterprise"]), min_size=1, max_size=1),
        )
    )
    space = draw(st.sampled_from(["reseller", "personal"]))
    return {
        "profile": draw(st.sampled_from(sorted(PROFILES))),
        "engagement": draw(st.sampled_from(ENGAGEMENT)) if space == "reseller" else None,
        "body": {
            "lines": lines,
            "billing_period": draw(st.sampled_from(["yearly", "monthly"])),
            "space": space,
            "customer_country": draw(st.sampled_from(["FR", "DE", "US", "IT", "JP"])),
            "customer_nonprofit": draw(st.booleans()),
        },
    }


class Buyers:
    """The partners of PROFILES and their approved deals, made once per test (the examples
    share the test's transaction)."""

    def __init__(self, programme):
        self.programme = programme
        self.partners = {}
        self.deals = {}
        self.distributor = make_partner(
            programme, type_code="distributor", tier=2, country="DE", vat_number=DE_VAT
        )
        with observer():
            ResellerDiscount.objects.create(
                organisation=self.distributor.organisation, percent=Decimal("20")
            )

    def partner(self, profile: str):
        if profile not in self.partners:
            type_code, tier, country, vat, attached = PROFILES[profile]
            self.partners[profile] = make_partner(
                self.programme,
                type_code=type_code,
                tier=tier,
                country=country,
                vat_number=vat,
                distributor=self.distributor.organisation if attached else None,
            )
        return self.partners[profile]

    def deal(self, profile: str, engagement: str | None):
        if engagement is None:
            return None
        if (profile, engagement) not in self.deals:
            self.deals[profile, engagement] = make_deal(
                self.partner(profile).organisation,
                status="approved",
                engagement_model=engagement,
                product=Product.objects.get(code="pro"),
            )
        return str(self.deals[profile, engagement].pk)

    def request(self, sale) -> tuple[object, dict]:
        tenant = self.partner(sale["profile"])
        body = {**sale["body"], "deal": self.deal(sale["profile"], sale["engagement"])}
        return tenant, body


@pytest.fixture
def buyers(vates):
    return Buyers(vates)


def two_places(amount: Decimal) -> bool:
    return amount.as_tuple().exponent == -2


def check_steps(item, *, tax_name: str) -> None:
    amounts = {name: getattr(item, tax_name if name == "tax" else name) for name in AMOUNTS}
    for name, amount in amounts.items():
        assert amount >= 0, (name, amount)
        assert two_places(amount), (name, amount)
    assert amounts["gross_amount"] == amounts["list_amount"] - amounts["charity_discount"]
    assert amounts["net_amount"] == (
        amounts["gross_amount"] - amounts["partner_discount"] - amounts["credit_applied"]
    )
    assert amounts["total"] == amounts["net_amount"] + amounts["tax"]


@PROPERTY_SETTINGS
@given(sale=sales(), credit_cents=st.integers(0, 1_000_000))
def test_every_amount_follows_from_the_steps_and_the_totals_are_the_lines_sums(
    buyers, sale, credit_cents
):
    tenant, body = buyers.request(sale)
    credit = Decimal(credit_cents).scaleb(-2)
    with observer():
        pricing = price_sale(
            sale_request_build(organisation=tenant.organisation, data=body, credit_available=credit)
        )
    for priced in pricing.lines:
        check_steps(priced, tax_name="tax")
        # Rounded once, half-up to the cent: never more than half a cent off.
        assert abs(priced.tax - priced.net_amount * priced.tax_rate / 100) <= CENT / 2
        assert priced.distributor_net >= 0
        assert two_places(priced.distributor_net)
    check_steps(pricing, tax_name="tax_amount")
    for name in AMOUNTS:
        engine_name = "tax_amount" if name == "tax" else name
        assert getattr(pricing, engine_name) == sum(getattr(x, name) for x in pricing.lines)
    assert pricing.credit_applied <= credit
    if pricing.space == "personal":
        assert pricing.partner_discount == 0
        assert pricing.charity_discount == 0


def _engine(tenant, body) -> dict:
    with observer():
        pricing = price_sale(sale_request_build(organisation=tenant.organisation, data=body))
    document = {name: getattr(pricing, "tax_amount" if name == "tax" else name) for name in AMOUNTS}
    lines = [{name: getattr(x, name) for name in AMOUNTS} for x in pricing.lines]
    return {"document": document, "lines": lines}


def _preview(tenant, body) -> dict:
    response = tenant.api().post(PREVIEW, body, format="json")
    assert response.status_code == 200, response.content
    data = response.json()
    return {
        "document": {name: Decimal(data[name]) for name in AMOUNTS},
        "lines": [{name: Decimal(x[name]) for name in AMOUNTS} for x in data["lines"]],
    }


def _order(tenant, body) -> dict:
    with observer():
        placed = order_place(
            organisation=tenant.organisation,
            actor=tenant.admin,
            role="admin",
            data=order_body(**body),
        )
        order = Order.objects.get(pk=placed.order.pk)
        return _amounts(order, order.lines.order_by("position"))


def _amounts(document, lines, *, fields=AMOUNTS, line_fields=AMOUNTS) -> dict:
    return {
        "document": {name: getattr(document, name) for name in fields},
        "lines": [{name: getattr(x, name) for name in line_fields} for x in lines],
    }


def _quote(tenant, body) -> dict | None:
    """The quote made from the body, and the order converted from it, must both store
    the engine's amounts (the conversion copies, never prices again). None for a sale
    in the personal space, which quotes are not for."""
    if body["space"] != "reseller":
        return None
    with observer():
        quote = quote_create(
            organisation=tenant.organisation,
            actor=tenant.admin,
            role="admin",
            data=order_body(**body),
        )
        stored = Quote.objects.get(pk=quote.pk)
        order = quote_convert(quote=stored, actor=tenant.admin, role="admin").order
        order = Order.objects.get(pk=order.pk)
        # Everything the conversion hands over, the distributor's layer included.
        copied = {"fields": COPIED_HEADER_FIELDS, "line_fields": COPIED_LINE_FIELDS}
        assert _amounts(order, order.lines.order_by("position"), **copied) == _amounts(
            stored, stored.lines.order_by("position"), **copied
        ), "the converted order"
        return _amounts(stored, stored.lines.order_by("position"))


#: Every path that prices a sale: each gives the engine's amounts for the same request,
#: or None when the path does not take that kind of sale.
PATHS = {"preview API": _preview, "order": _order, "quote and its order": _quote}


@PATH_SETTINGS
@given(sale=sales())
def test_the_same_request_gives_the_same_amounts_whichever_path_asks(buyers, sale):
    tenant, body = buyers.request(sale)
    expected = _engine(tenant, body)
    for name, path in PATHS.items():
        found = path(tenant, body)
        if found is None:  # only quotes refuse a kind of sale: the personal space
            assert (name, body["space"]) == ("quote and its order", "personal")
            continue
        assert found == expected, name
