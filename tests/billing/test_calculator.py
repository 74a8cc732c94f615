"""The price calculator page: the preview's every step, in the space the partner chose."""

from __future__ import annotations

from tests.billing.test_pricing_rules import FR_VAT

PAGE = "/space/pricing/"


def test_the_reseller_space_is_the_default_and_says_so(partner):
    reseller = partner("reseller", tier=1, country="FR", vat_number=FR_VAT)
    page = reseller.browser().get(PAGE)
    assert page.status_code == 200
    text = page.content.decode()
    assert 'aria-current="page" href="?space=reseller"' in text
    assert "Buying for a customer" in text
    assert page.context["pricing"] is None


def test_every_step_of_a_reseller_sale(partner):
    reseller = partner("reseller", tier=1, country="FR", vat_number=FR_VAT)
    page = reseller.browser().get(
        PAGE,
        {"product": "pro", "quantity": 3, "customer_country": "DE", "customer_nonprofit": "on"},
    )
    assert page.status_code == 200
    pricing = page.context["pricing"]
    assert (str(pricing.list_amount), str(pricing.charity_discount)) == ("3000.00", "300.00")
    assert (str(pricing.partner_discount), str(pricing.net_amount)) == ("270.00", "2430.00")
    text = page.content.decode()
    minus = "\u2212"  # the page's minus sign
    steps = ["3,000.00", f"{minus}300.00", "2,700.00", f"{minus}270.00", "2,430.00", "486.00"]
    for shown in [*steps, "2,916.00"]:
        assert shown in text, shown


def test_the_personal_space_is_list_price_and_says_so(partner):
    reseller = partner("reseller", tier=1, country="FR", vat_number=FR_VAT)
    page = reseller.browser().get(PAGE, {"space": "personal", "product": "pro", "quantity": 3})
    assert page.status_code == 200
    text = page.content.decode()
    assert "Buying for your own use" in text
    assert 'aria-current="page" href="?space=personal"' in text
    assert str(page.context["pricing"].net_amount) == "3000.00"
    assert "Customer&#x27;s country" not in text


def test_a_quantity_below_the_minimum_is_shown_beside_the_field(partner):
    reseller = partner("reseller")
    page = reseller.browser().get(PAGE, {"product": "pro", "quantity": 2, "customer_country": "DE"})
    assert page.status_code == 400
    assert page.context["pricing"] is None
    assert page.context["form"].errors["quantity"]


def test_a_reseller_sale_needs_the_customers_country(partner):
    reseller = partner("reseller")
    page = reseller.browser().get(PAGE, {"product": "pro", "quantity": 3, "customer_country": ""})
    assert page.status_code == 400
    assert page.context["form"].errors["customer_country"]
