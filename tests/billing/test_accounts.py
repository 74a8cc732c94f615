"""The billing account (SPEC §3.5): who is invoiced decides the VAT. A VAT number is
checked before it is stored; an invalid one is refused with nothing written."""

from __future__ import annotations

import pytest

from billing.models import BillingAccount
from portal.models import AuditEvent
from tests.billing.test_pricing_rules import DE_VAT, ok
from tests.tenancy_support import observer

ACCOUNT = "/api/v1/billing/account"
PAGE = "/space/billing/account/"


def accounts(organisation) -> list:
    with observer():
        return list(BillingAccount.objects.filter(organisation=organisation).values())


def test_without_an_account_the_api_says_so(partner):
    reseller = partner("reseller", country="DE")
    response = reseller.api().get(ACCOUNT)
    assert response.status_code == 404
    assert response.json()["code"] == "no_billing_account"


def test_a_valid_vat_number_is_stored_compact_and_audited(partner):
    reseller = partner("reseller", country="DE")
    response = reseller.api().put(
        ACCOUNT,
        {"legal_name": "Rhein IT GmbH", "country": "DE", "vat_number": "de 136 695 976"},
        format="json",
    )
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["vat_number"] == DE_VAT
    assert body["vat_number_valid"] is True
    assert reseller.api().get(ACCOUNT).json()["legal_name"] == "Rhein IT GmbH"
    with observer():
        event = AuditEvent.objects.get(action="billing_account.created")
    assert event.after["vat_number"] == DE_VAT


def test_an_invalid_vat_number_is_refused_and_nothing_is_saved(partner):
    reseller = partner("reseller", country="DE")
    response = reseller.api().put(
        ACCOUNT,
        {"legal_name": "Rhein IT GmbH", "country": "DE", "vat_number": "DE136695975"},
        format="json",
    )
    assert response.status_code == 400
    assert "vat_number" in response.json()["fields"]
    assert accounts(reseller.organisation) == []


@pytest.mark.parametrize("number", ["12345", "ZZ123456789", "DE"])
def test_a_vat_number_without_a_known_prefix_is_refused_not_a_server_error(partner, number):
    reseller = partner("reseller", country="DE")
    response = reseller.api().put(
        ACCOUNT,
        {"legal_name": "Rhein IT GmbH", "country": "DE", "vat_number": number},
        format="json",
    )
    assert response.status_code == 400
    assert "vat_number" in response.json()["fields"]
    assert accounts(reseller.organisation) == []


def test_another_countrys_vat_number_is_refused(partner):
    reseller = partner("reseller", country="DE")
    response = reseller.api().put(
        ACCOUNT,
        {"legal_name": "Rhein IT GmbH", "country": "DE", "vat_number": "FR40303265045"},
        format="json",
    )
    assert response.status_code == 400
    assert "vat_number" in response.json()["fields"]


def test_sales_cannot_change_the_account(partner):
    sales = partner("reseller", country="DE", role="sales")
    response = sales.api().put(ACCOUNT, {"legal_name": "X", "country": "DE"}, format="json")
    assert response.status_code == 403
    assert accounts(sales.organisation) == []


def test_finance_can_change_the_account_and_removing_the_vat_number_is_audited(partner):
    finance = partner("reseller", country="DE", vat_number=DE_VAT, role="finance")
    response = finance.api().put(
        ACCOUNT, {"legal_name": "Rhein IT GmbH", "country": "DE", "vat_number": ""}, format="json"
    )
    assert response.status_code == 200, response.content
    assert response.json()["vat_number_valid"] is False
    with observer():
        event = AuditEvent.objects.get(action="billing_account.changed")
    assert event.before["vat_number"] == DE_VAT
    assert event.after["vat_number"] == ""


def test_a_valid_de_vat_number_turns_the_french_vendors_tax_into_reverse_charge(partner):
    reseller = partner("reseller", tier=1, country="DE")
    before = ok(reseller, product="pro", quantity=3)
    assert (before["tax_kind"], before["tax"]) == ("eu_no_vat_number", "540.00")

    saved = reseller.api().put(
        ACCOUNT,
        {"legal_name": "Rhein IT GmbH", "country": "DE", "vat_number": DE_VAT},
        format="json",
    )
    assert saved.status_code == 200

    after = ok(reseller, product="pro", quantity=3)
    assert (after["tax_kind"], after["tax"], after["total"]) == (
        "reverse_charge",
        "0.00",
        "2700.00",
    )


def test_the_page_says_what_happens_without_an_account(partner):
    reseller = partner("reseller", country="DE")
    page = reseller.browser().get(PAGE)
    assert page.status_code == 200
    text = page.content.decode()
    assert "no billing account yet" in text
    assert "No valid VAT number" in text


def test_the_page_saves_and_shows_the_reverse_charge(partner):
    reseller = partner("reseller", country="DE")
    browser = reseller.browser()
    response = browser.post(
        PAGE, {"legal_name": "Rhein IT GmbH", "country": "DE", "vat_number": DE_VAT}
    )
    assert response.status_code == 302
    text = browser.get(PAGE).content.decode()
    assert "Reverse charge" in text
    assert "Article 196" in text


def test_the_page_refuses_an_invalid_vat_number_beside_the_field(partner):
    reseller = partner("reseller", country="DE")
    response = reseller.browser().post(
        PAGE, {"legal_name": "Rhein IT GmbH", "country": "DE", "vat_number": "DE123"}
    )
    assert response.status_code == 400
    assert "is not a valid VAT number" in response.content.decode()
    assert accounts(reseller.organisation) == []


def test_the_page_of_a_us_partner_says_export(partner):
    csp = partner("csp", country="US")
    assert "Export" in csp.browser().get(PAGE).content.decode()


def test_a_technical_member_reads_but_cannot_post(partner):
    technical = partner("reseller", country="DE", role="technical")
    browser = technical.browser()
    assert browser.get(PAGE).status_code == 200
    assert browser.post(PAGE, {"legal_name": "X", "country": "DE"}).status_code == 403
