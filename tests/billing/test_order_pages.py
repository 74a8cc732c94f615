"""The reseller space's order pages: the list (filters, spaces, supplied orders), an
order's detail, and the new-order page in its two spaces (preview, then place once)."""

from __future__ import annotations

import re

import pytest

from billing.models import Order
from licensing.models import Product
from partners.services.programme import programme_load
from portal.tenancy.context import system_context
from tests.billing.conftest import make_partner
from tests.billing.factories import place_order
from tests.billing.test_pricing_rules import DE_VAT, FR_VAT
from tests.deals.factories import make_deal
from tests.licensing.factories import ProductFactory
from tests.tenancy_support import observer

NEW = "/space/orders/new/"


def form(space="reseller", action="preview", key="page-key-1", **fields) -> dict:
    data = {
        "space": space,
        "idempotency_key": key,
        "action": action,
        "customer_name": "Acme Hospital",
        "customer_email": "it@acme-hospital.example",
        "customer_country": "DE",
        "billing_period": "yearly",
        "line-0-product": "pro",
        "line-0-quantity": "3",
        "line-0-fulfilment": "licence",
        "line-0-copies": "1",
    }
    for n in range(1, 5):
        data.update({f"line-{n}-fulfilment": "licence", f"line-{n}-copies": "1"})
    data.update(fields)
    return data


def orders() -> list[Order]:
    with observer():
        return list(Order.objects.all())


def test_the_two_spaces_are_obvious(partner):
    reseller = partner("reseller", tier=1, country="FR", vat_number=FR_VAT)
    browser = reseller.browser()
    page = browser.get(NEW).content.decode()
    assert "New order for a customer" in page
    assert "at <strong>your partner discount</strong>" in page
    assert 'name="customer_name"' in page
    personal = browser.get(NEW + "?space=personal").content.decode()
    assert "New order for your own use" in personal
    assert "<strong>list price</strong>" in personal
    assert 'name="customer_name"' not in personal


def test_preview_shows_every_step_then_place_makes_one_order(partner):
    reseller = partner("reseller", tier=1, country="FR", vat_number=FR_VAT)
    browser = reseller.browser()
    response = browser.post(NEW, form(customer_nonprofit="on"))
    assert response.status_code == 200
    page = response.content.decode()
    for amount in ("3,000.00", "300.00", "2,700.00", "270.00", "2,430.00", "486.00", "2,916.00"):
        assert amount in page, amount
    assert "Discount rule:" in page
    assert orders() == []
    # The preview's render carries a new key; placing twice with it makes one order
    key = re.search(r'name="idempotency_key" value="([^"]+)"', page).group(1)
    first = browser.post(NEW, form(action="place", key=key, customer_nonprofit="on"))
    again = browser.post(NEW, form(action="place", key=key, customer_nonprofit="on"))
    (order,) = orders()
    assert first.status_code == again.status_code == 302
    assert first["Location"] == again["Location"] == f"/space/orders/{order.pk}/"
    assert order.net_amount == 2430
    detail = browser.get(first["Location"]).content.decode()
    assert order.reference in detail
    assert "Bind to the customer" in detail
    assert "Reseller" in detail  # the discount rule


def test_personal_space_order_is_at_list_price(partner):
    distributor = partner("distributor", tier=2, country="DE", vat_number=DE_VAT)
    response = distributor.browser().post(
        NEW, form(space="personal", action="place", customer_name="", customer_email="")
    )
    assert response.status_code == 302
    (order,) = orders()
    assert order.space == "personal"
    assert order.partner_discount == 0
    assert order.customer_name == distributor.organisation.name


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"line-0-quantity": "2"}, "line-0-quantity"),
        ({"customer_email": "nope"}, "customer_email"),
        ({"customer_country": ""}, "customer_country"),
        ({"line-0-product": ""}, "line-0-product"),
        ({"billing_period": "weekly"}, "billing_period"),
    ],
)
def test_errors_show_beside_their_field_and_nothing_is_written(partner, change, message):
    reseller = partner("reseller", tier=1, country="FR", vat_number=FR_VAT)
    response = reseller.browser().post(NEW, form(action="place", **change))
    assert response.status_code == 400
    page = response.content.decode()
    field = re.search(rf'<[^>]+name="{message}"[^>]*>', page).group(0)
    assert "is-invalid" in field
    assert orders() == []


def test_an_error_on_the_second_line_marks_that_row(partner):
    reseller = partner("reseller", tier=1, country="FR", vat_number=FR_VAT)
    response = reseller.browser().post(
        NEW,
        form(
            action="place",
            **{"line-1-product": "essential", "line-1-quantity": "5"},
        ),
    )
    assert response.status_code == 400
    page = response.content.decode()
    second = re.search(r'<[^>]+name="line-1-quantity"[^>]*>', page).group(0)
    first = re.search(r'<[^>]+name="line-0-quantity"[^>]*>', page).group(0)
    assert "is-invalid" in second
    assert "is-invalid" not in first


def test_a_deal_is_offered_and_won(partner):
    reseller = partner("reseller", tier=1, country="FR", vat_number=FR_VAT)
    deal = make_deal(
        reseller.organisation, status="approved", product=Product.objects.get(code="pro")
    )
    browser = reseller.browser()
    assert deal.reference in browser.get(NEW).content.decode()
    response = browser.post(NEW, form(action="place", deal=str(deal.pk)))
    assert response.status_code == 302
    deal.refresh_from_db()
    assert deal.status == "won"
    assert deal.reference in browser.get(response["Location"]).content.decode()


def test_a_distributor_orders_for_its_reseller_and_sees_both_layers(partner):
    northwind = partner("distributor", tier=2, country="DE", vat_number=DE_VAT)
    reseller = partner(
        "reseller", tier=1, country="FR", vat_number=FR_VAT, distributor=northwind.organisation
    )
    browser = northwind.browser()
    page = browser.get(NEW).content.decode()
    assert reseller.organisation.name in page
    rid = str(reseller.organisation.pk)
    preview = browser.post(NEW, form(reseller=rid)).content.decode()
    assert "Your price from the vendor" in preview
    placed = browser.post(NEW, form(action="place", reseller=rid))
    assert placed.status_code == 302
    (order,) = orders()
    assert order.organisation == reseller.organisation
    assert order.placed_by_distributor
    detail = browser.get(placed["Location"]).content.decode()
    assert "Supplied through you" in detail
    assert "your margin" in detail
    # The reseller sees its order, never the vendor's price to its distributor
    own = reseller.browser().get(placed["Location"]).content.decode()
    assert "Your price from the vendor" not in own
    assert "margin" not in own
    listed = browser.get("/space/orders/?supplied=true").content.decode()
    assert order.reference in listed
    assert "Supplied" in listed


def test_the_list_filters(partner):
    reseller = partner("reseller", tier=1, country="FR", vat_number=FR_VAT)
    pro = [{"product": "pro", "quantity": 3}]  # the seeded catalogue's
    ours = place_order(reseller.organisation, customer_name="Alpha Clinic", lines=pro)
    personal = place_order(reseller.organisation, space="personal", lines=pro)
    browser = reseller.browser()
    page = browser.get("/space/orders/?space=personal").content.decode()
    assert personal.reference in page
    assert ours.reference not in page
    page = browser.get("/space/orders/?search=alpha").content.decode()
    assert ours.reference in page
    assert personal.reference not in page
    assert browser.get("/space/orders/?status=nope").status_code == 200


def test_a_finance_member_cannot_open_the_new_order_page(partner):
    finance = partner("reseller", role="finance")
    assert finance.browser().get(NEW).status_code == 403


def _non_field_errors(page: str) -> str:
    alert = r'<div class="alert alert-danger" role="alert">(.*?)</div>\s*</div>'
    found = re.search(alert, page, re.S)
    return found.group(1) if found else ""


def test_a_line_error_no_single_row_causes_goes_above_the_form(partner):
    reseller = partner("reseller", tier=1, country="FR", vat_number=FR_VAT)
    browser = reseller.browser()
    # Several copies of a licence line: the service refuses the order, not one row's
    # product or quantity.
    one_line = browser.post(NEW, form(action="place", **{"line-0-copies": "3"}))
    two_lines = browser.post(
        NEW,
        form(
            action="place",
            **{"line-1-product": "essential", "line-1-quantity": "1", "line-1-copies": "3"},
        ),
    )

    assert one_line.status_code == two_lines.status_code == 400
    message = "Several copies of a line are sold as redemption codes"
    # Only one line is filled: the message names it.
    assert f"Line 1: {message}" in _non_field_errors(one_line.content.decode())
    # Two lines: which one is not known; neither row is marked as the cause.
    page = two_lines.content.decode()
    errors = _non_field_errors(page)
    assert message in errors
    assert "Line " not in errors
    for n in (0, 1):
        field = re.search(rf'<[^>]+name="line-{n}-copies"[^>]*>', page).group(0)
        assert "is-invalid" not in field
    assert orders() == []


def test_a_distributor_ordering_for_a_reseller_has_its_rows_checked_in_the_resellers_catalogue(
    partner,
):
    # Given a reseller of another programme (Xen Orchestra, with a Pro of its own but no
    # Essential) attached to a Vates distributor
    with system_context("command:seed_demo"):
        xen_orchestra = programme_load(code="xen-orchestra")
    ProductFactory(programme=xen_orchestra, code="pro", name="XO Pro", min_quantity=1)
    distributor = partner("distributor", tier=2, country="DE", vat_number=DE_VAT)
    reseller = make_partner(
        xen_orchestra, type_code="reseller", distributor=distributor.organisation
    )

    # When the distributor orders Pro (in both catalogues) and Essential (in its own only)
    # for that reseller
    response = distributor.browser().post(
        NEW,
        form(
            action="place",
            reseller=str(reseller.organisation.pk),
            **{"line-1-product": "essential", "line-1-quantity": "1"},
        ),
    )

    # Then the second row is the one marked: Essential is not in the reseller's catalogue
    assert response.status_code == 400
    page = response.content.decode()
    second = re.search(r'<[^>]+name="line-1-product"[^>]*>', page).group(0)
    first = re.search(r'<[^>]+name="line-0-product"[^>]*>', page).group(0)
    assert "is-invalid" in second
    assert "is-invalid" not in first
    assert "No product &#x27;essential&#x27; in your programme" in page
    assert orders() == []
