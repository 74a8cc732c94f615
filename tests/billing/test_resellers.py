"""A distributor's resellers and their discounts (SPEC §1 two-tier), and the preview of
both layers: the reseller sees its price from the distributor, never the distributor's."""

from __future__ import annotations

from decimal import Decimal

import pytest

from billing.models import ResellerDiscount
from billing.services.reseller_terms import reseller_discount_set
from portal.errors import Forbidden
from portal.models import AuditEvent
from tests.billing.test_pricing_rules import DE_VAT, FR_VAT, ok
from tests.tenancy_support import observer

RESELLERS = "/api/v1/resellers"
DEFAULT = "/api/v1/resellers/default-discount"
PAGE = "/space/resellers/"
CALCULATOR = "/space/pricing/"


@pytest.fixture
def northwind(partner):
    return partner("distributor", tier=2, country="DE", vat_number=DE_VAT, name="Northwind")


@pytest.fixture
def bluepeak(partner, northwind):
    return partner(
        "reseller",
        tier=1,
        country="FR",
        vat_number=FR_VAT,
        distributor=northwind.organisation,
        name="Bluepeak",
    )


def discounts(organisation) -> dict:
    with observer():
        return dict(
            ResellerDiscount.objects.filter(organisation=organisation).values_list(
                "reseller_id", "percent"
            )
        )


def test_a_distributor_lists_its_resellers_with_the_default_then_their_own(northwind, bluepeak):
    api = northwind.api()
    assert api.put(DEFAULT, {"percent": "20"}, format="json").status_code == 200
    listed = api.get(RESELLERS).json()["results"]
    assert listed == [
        {
            "id": str(bluepeak.organisation.pk),
            "name": "Bluepeak",
            "country": "FR",
            "tier": 1,
            "discount_percent": "20.00",
            "is_default": True,
        }
    ]

    own = api.put(
        f"{RESELLERS}/{bluepeak.organisation.pk}/discount", {"percent": "25.5"}, format="json"
    )
    assert own.status_code == 200, own.content
    assert (own.json()["discount_percent"], own.json()["is_default"]) == ("25.50", False)
    assert api.get(RESELLERS).json()["results"][0]["discount_percent"] == "25.50"
    with observer():
        assert AuditEvent.objects.filter(action="reseller_discount.set").count() == 2


def test_a_non_distributor_cannot_set_or_read_reseller_discounts(partner, bluepeak):
    reseller = partner("reseller", tier=1, country="FR")
    api = reseller.api()
    assert api.put(DEFAULT, {"percent": "20"}, format="json").status_code == 403
    assert api.get(RESELLERS).status_code == 403
    url = f"{RESELLERS}/{bluepeak.organisation.pk}/discount"
    assert api.put(url, {"percent": "20"}, format="json").status_code == 403
    assert reseller.browser().get(PAGE).status_code == 403
    assert discounts(reseller.organisation) == {}


def test_the_service_refuses_a_non_distributor(partner):
    reseller = partner("reseller")
    with observer(), pytest.raises(Forbidden):
        reseller_discount_set(
            distributor=reseller.organisation, actor=reseller.admin, role="admin", percent=10
        )


def test_a_distributor_cannot_set_a_discount_for_a_reseller_not_attached_to_it(partner, northwind):
    stranger = partner("reseller", tier=1, country="FR")
    url = f"{RESELLERS}/{stranger.organisation.pk}/discount"
    response = northwind.api().put(url, {"percent": "20"}, format="json")
    assert response.status_code == 404
    assert discounts(northwind.organisation) == {}


@pytest.mark.parametrize("percent", ["100.01", "-1", "abc"])
def test_a_discount_outside_zero_to_a_hundred_is_refused(northwind, bluepeak, percent):
    response = northwind.api().put(DEFAULT, {"percent": percent}, format="json")
    assert response.status_code == 400
    assert "percent" in response.json()["fields"]
    assert discounts(northwind.organisation) == {}


def test_only_the_distributors_administrators_set_discounts(partner, bluepeak):
    sales = partner("distributor", tier=2, country="DE", role="sales")
    assert sales.api().put(DEFAULT, {"percent": "20"}, format="json").status_code == 403
    assert sales.api().get(RESELLERS).status_code == 200
    assert sales.browser().post(PAGE, {"percent": "20"}).status_code == 403


def test_the_page_shows_the_resellers_and_the_margin_by_engagement_model(northwind, bluepeak):
    browser = northwind.browser()
    assert browser.post(PAGE, {"percent": "20"}).status_code == 302
    page = browser.get(PAGE)
    assert page.status_code == 200
    text = page.content.decode()
    assert "Bluepeak" in text
    margins = page.context["reference"]
    rows = {row.engagement_model: row for row in margins.rows}
    assert margins.list_amount == Decimal("3000.00")
    # Northwind (distributor tier 2) buys Pro x 3 at 50/30/10 % off; Bluepeak pays 20 % off.
    assert rows["partner_owned"].distributor_net == Decimal("1500.00")
    assert rows["co_led_partner"].distributor_net == Decimal("2100.00")
    assert rows["late_involvement"].distributor_net == Decimal("2700.00")
    assert rows["partner_owned"].reseller_net == Decimal("2400.00")
    assert rows["partner_owned"].margin == Decimal("900.00")
    assert rows["late_involvement"].margin == Decimal("-300.00")


def test_the_page_refuses_a_bad_percentage_beside_the_form(northwind, bluepeak):
    response = northwind.browser().post(PAGE, {"percent": "150"})
    assert response.status_code == 400
    assert discounts(northwind.organisation) == {}


# --- the preview's layers -------------------------------------------------------------


def test_the_resellers_preview_shows_its_price_from_the_distributor_only(northwind, bluepeak):
    northwind.api().put(DEFAULT, {"percent": "20"}, format="json")
    body = ok(bluepeak, product="pro", quantity=3, customer_country="FR")
    assert body["supplied_by"] == "Northwind"
    assert body["partner_discount_percent"] == "20.00"
    assert body["net_amount"] == "2400.00"
    # Bluepeak (FR, valid VAT number) is invoiced by Northwind (DE): reverse charge.
    assert body["tax_kind"] == "reverse_charge"
    assert "distributor_layer" not in body
    page = bluepeak.browser().get(
        CALCULATOR, {"product": "pro", "quantity": 3, "customer_country": "FR"}
    )
    text = page.content.decode()
    assert "You buy through <strong>Northwind</strong>" in text
    assert "The vendor sells to you" not in text
    assert "1,500" not in text
    assert "2,700.00" not in text


def test_the_distributors_preview_for_its_reseller_shows_both_layers_and_the_margin(
    northwind, bluepeak
):
    northwind.api().put(DEFAULT, {"percent": "20"}, format="json")
    body = ok(
        northwind,
        product="pro",
        quantity=3,
        customer_country="FR",
        reseller=str(bluepeak.organisation.pk),
    )
    layer = body["distributor_layer"]
    assert body["net_amount"] == "2400.00"
    assert layer["partner_discount_percent"] == "10.00"  # late involvement, tier 2
    assert layer["net_amount"] == "2700.00"
    assert layer["margin"] == "-300.00"
    assert any("at a loss" in note for note in body["notes"])

    page = northwind.browser().get(
        CALCULATOR,
        {
            "product": "pro",
            "quantity": 3,
            "customer_country": "FR",
            "reseller": str(bluepeak.organisation.pk),
        },
    )
    assert page.status_code == 200
    text = page.content.decode()
    assert "The vendor sells to you" in text
    assert page.context["margin"] == Decimal("-300.00")


def test_a_distributor_cannot_preview_for_a_reseller_not_attached_to_it(partner, northwind):
    stranger = partner("reseller", tier=1, country="FR")
    response = northwind.api().post(
        "/api/v1/pricing/preview",
        {
            "product": "pro",
            "quantity": 3,
            "customer_country": "FR",
            "reseller": str(stranger.organisation.pk),
        },
        format="json",
    )
    assert response.status_code == 404
