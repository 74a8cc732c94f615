"""The pricing engine's rules, worked through the API from the seed's tables (SPEC §3.5,
§3.2 benefits, the Vates comparison table, the Xen Orchestra and Mattermost seeds)."""

from __future__ import annotations

from decimal import Decimal

import pytest

from tests.deals.factories import make_deal

PREVIEW = "/api/v1/pricing/preview"
# Valid VAT numbers (format and check digits).
DE_VAT = "DE136695976"
FR_VAT = "FR40303265045"


def preview(tenant, **body):
    body.setdefault("customer_country", "DE")
    response = tenant.api().post(PREVIEW, body, format="json")
    return response


def ok(tenant, **body) -> dict:
    response = preview(tenant, **body)
    assert response.status_code == 200, response.content
    return response.json()


def test_pro_three_hosts_for_a_tier_one_reseller_in_france(partner):
    bluepeak = partner("reseller", tier=1, country="FR", vat_number=FR_VAT)
    body = ok(bluepeak, product="pro", quantity=3, billing_period="yearly")
    assert body["currency"] == "USD"
    assert body["list_amount"] == "3000.00"
    assert body["charity_discount"] == "0.00"
    assert body["gross_amount"] == "3000.00"
    assert body["partner_discount_percent"] == "10.00"  # reseller tier 1
    assert body["partner_discount"] == "300.00"
    assert body["credit_applied"] == "0.00"
    assert body["net_amount"] == "2700.00"
    # The vendor is French: a French partner pays French VAT.
    assert body["tax_kind"] == "domestic"
    assert body["tax_rate"] == "20.00"
    assert body["tax"] == "540.00"
    assert body["total"] == "3240.00"
    assert body["discount_rule"] == "Reseller, tier 1: 10%"
    assert body["engagement_model"] == "late_involvement"


def test_charity_discount_comes_before_the_partner_discount(partner):
    reseller = partner("reseller", tier=1, country="FR", vat_number=FR_VAT)
    body = ok(reseller, product="pro", quantity=3, customer_nonprofit=True)
    assert body["list_amount"] == "3000.00"
    assert body["charity_discount"] == "300.00"  # 10 % of list (programme data)
    assert body["gross_amount"] == "2700.00"
    assert body["partner_discount"] == "270.00"  # 10 % of 2,700, not of 3,000
    assert body["net_amount"] == "2430.00"


def test_a_csp_gives_no_charity_discount(partner):
    csp = partner("csp", tier=1, country="US")
    body = ok(csp, product="pro", quantity=3, customer_nonprofit=True, customer_country="US")
    assert body["charity_discount"] == "0.00"
    assert body["partner_discount_percent"] == "5.00"  # CSP tier 1
    assert body["net_amount"] == "2850.00"
    assert body["tax_kind"] == "export"
    assert body["total"] == "2850.00"
    assert any("charity" in note for note in body["notes"])


def test_per_host_minimums_and_bundle_maximums_are_refused(partner):
    reseller = partner("reseller")
    below = preview(reseller, product="pro", quantity=2)
    assert below.status_code == 400
    assert "quantity" in below.json()["fields"]
    assert preview(reseller, product="enterprise", quantity=3).status_code == 400
    assert preview(reseller, product="essential", quantity=4).status_code == 400
    assert preview(reseller, product="enterprise", quantity=4).status_code == 200


def test_enterprise_is_priced_in_euros(partner):
    reseller = partner("reseller", tier=2, country="DE", vat_number=DE_VAT)
    body = ok(reseller, product="enterprise", quantity=4)
    assert body["currency"] == "EUR"
    assert body["list_amount"] == "7200.00"
    assert body["partner_discount_percent"] == "20.00"
    assert body["net_amount"] == "5760.00"
    # Germany with a valid VAT number: reverse charge, with the legal mention.
    assert body["tax_kind"] == "reverse_charge"
    assert body["tax"] == "0.00"
    assert "Article 196" in body["tax_mention"]


def test_an_eu_partner_without_a_vat_number_pays_the_vendors_rate(partner):
    reseller = partner("reseller", tier=1, country="DE")
    body = ok(reseller, product="essential", quantity=1)
    assert body["tax_kind"] == "eu_no_vat_number"
    assert body["tax_rate"] == "20.00"  # France's, not Germany's


def test_the_personal_space_is_list_price(partner):
    distributor = partner("distributor", tier=2, country="DE", vat_number=DE_VAT)
    body = ok(distributor, product="pro", quantity=3, space="personal")
    assert body["partner_discount"] == "0.00"
    assert body["net_amount"] == "3000.00"
    assert "Personal space" in body["discount_rule"]
    # A distributor gets its internal-use licences free on the NFR page: the preview says so.
    assert any("complimentary NFR" in note for note in body["notes"])


@pytest.mark.parametrize(
    ("engagement_model", "percent", "net"),
    [
        ("partner_owned", "50.00", "1500.00"),
        ("co_led_partner", "30.00", "2100.00"),
        ("co_led_vendor", "30.00", "2100.00"),
    ],
)
def test_distributor_discount_follows_the_deals_engagement_model(
    partner, engagement_model, percent, net
):
    northwind = partner("distributor", tier=2, country="DE", vat_number=DE_VAT)
    from licensing.models import Product

    deal = make_deal(
        northwind.organisation,
        status="approved",
        engagement_model=engagement_model,
        product=Product.objects.get(code="pro"),
    )
    body = ok(northwind, product="pro", quantity=3, deal=str(deal.pk))
    assert body["engagement_model"] == engagement_model
    assert body["partner_discount_percent"] == percent
    assert body["net_amount"] == net


def test_no_deal_is_late_involvement(partner):
    northwind = partner("distributor", tier=2, country="DE", vat_number=DE_VAT)
    body = ok(northwind, product="pro", quantity=3)
    assert body["engagement_model"] == "late_involvement"
    assert body["partner_discount_percent"] == "10.00"
    assert body["discount_rule"] == "Distributor, tier 2, late involvement: 10%"
    assert body["net_amount"] == "2700.00"


def test_monthly_billing_is_the_yearly_price_over_twelve(partner):
    reseller = partner("reseller", tier=1, country="US")
    body = ok(reseller, product="pro", quantity=3, billing_period="monthly")
    # 1,000 x 3 / 12 = 250.00; 10 % off.
    assert body["list_amount"] == "250.00"
    assert body["net_amount"] == "225.00"
    assert Decimal(body["lines"][0]["unit_price"]) == Decimal("83.3333")
