"""NFR / internal-use licences (issue 8, SPEC §3.7): complimentary for the types whose
programme gives them (Vates distributors and MSPs), one running licence per product, a
year each; a partner not yet eligible is told they are billed at list price."""

from __future__ import annotations

import datetime

import pytest

from licensing.models import Licence
from licensing.selectors.trials import customer_sales_licences
from tests.licensing.support_trials import partner_of
from tests.tenancy_support import observer

pytestmark = pytest.mark.django_db


@pytest.fixture
def northwind():
    return partner_of("vates", "distributor", name="Northwind Distribution")


@pytest.fixture
def bluepeak():
    return partner_of("vates", "reseller", name="Bluepeak IT")


def _nfr(tenant) -> list[Licence]:
    with observer():
        return list(Licence.objects.filter(organisation=tenant.organisation, kind="nfr"))


def test_an_eligible_partner_gets_a_one_year_nfr_licence_for_itself(northwind):
    response = northwind.api().post(
        "/api/v1/licences/nfr", {"product": "pro", "quantity": 3}, format="json"
    )

    assert response.status_code == 201, response.content
    (licence,) = _nfr(northwind)
    assert str(licence.pk) == response.json()["id"]
    assert (licence.product_code, licence.quantity, licence.plan) == ("pro", 3, None)
    assert licence.customer_name == "Northwind Distribution"  # internal use
    # One year, both ends included: from 29 Nov to 28 Nov of the next year.
    assert licence.ends_on + datetime.timedelta(days=1) == licence.starts_on.replace(
        year=licence.starts_on.year + 1
    )
    with observer():
        assert not customer_sales_licences().filter(pk=licence.pk).exists()
        assert list(licence.events.values_list("kind", flat=True)) == ["created"]


def test_one_running_nfr_licence_per_product(northwind):
    client = northwind.api()
    first = client.post("/api/v1/licences/nfr", {"product": "pro", "quantity": 3}, format="json")
    second = client.post("/api/v1/licences/nfr", {"product": "pro", "quantity": 5}, format="json")
    other = client.post(
        "/api/v1/licences/nfr", {"product": "essential", "quantity": 1}, format="json"
    )
    assert first.status_code == 201
    assert (second.status_code, second.json()["code"]) == (409, "nfr_exists")
    assert other.status_code == 201
    assert len(_nfr(northwind)) == 2

    # An expired one no longer counts.
    with observer():
        Licence.objects.filter(pk=first.json()["id"]).update(status="expired")
    again = client.post("/api/v1/licences/nfr", {"product": "pro", "quantity": 3}, format="json")
    assert again.status_code == 201


def test_a_partner_not_yet_eligible_is_told_nfr_is_billed_at_list_price(bluepeak):
    client = bluepeak.api()
    refused = client.post("/api/v1/licences/nfr", {"product": "pro", "quantity": 3}, format="json")
    overview = client.get("/api/v1/licences/nfr")

    assert refused.status_code == 400
    body = refused.json()
    assert body["code"] == "nfr_not_eligible"
    assert "list price" in body["detail"]
    assert "Distributor" in body["detail"]
    assert _nfr(bluepeak) == []
    assert overview.json()["eligible"] is False
    assert overview.json()["organisation"] == "Bluepeak IT"


def test_the_overview_lists_the_partners_nfr_licences(northwind):
    client = northwind.api()
    client.post("/api/v1/licences/nfr", {"product": "pro", "quantity": 3}, format="json")
    overview = client.get("/api/v1/licences/nfr").json()
    assert overview["eligible"] is True
    assert [(x["product"], x["status"]) for x in overview["licences"]] == [("pro", "unbound")]


def test_the_nfr_page_shows_eligibility_and_requests(northwind, bluepeak):
    page = northwind.browser().get("/space/nfr/")
    created = northwind.browser().post("/space/nfr/", {"product": "essential", "quantity": "1"})
    after = northwind.browser().get("/space/nfr/").content.decode()
    not_eligible = bluepeak.browser().get("/space/nfr/").content.decode()
    refused = bluepeak.browser().post("/space/nfr/", {"product": "pro", "quantity": "3"})

    assert "You are eligible." in page.content.decode()
    assert created.status_code == 302
    assert "Vates VMS Essential" in after
    assert "Not yet eligible." in not_eligible
    assert "1000.00 USD per host" in not_eligible  # the list prices
    assert "Request NFR licence" not in not_eligible
    assert refused.status_code == 400
    assert "list price" in refused.content.decode()
    assert _nfr(bluepeak) == []
