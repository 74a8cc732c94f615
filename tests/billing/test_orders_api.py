"""Orders through the API (issue 10): the engine's worked examples on placed orders, the
licences issued, the deal won, the emails, and two-tier orders."""

from __future__ import annotations

import csv
import io
from datetime import timedelta
from decimal import Decimal

import pytest
from django.conf import settings
from django.core import mail
from django.utils import timezone

from billing.models import IdempotencyKey, Order
from licensing.models import Licence, Product
from licensing.services.catalogue import catalogue_load
from licensing.services.licences import add_months
from partners.services.programme import programme_load
from portal.models import AuditEvent
from portal.tenancy.context import system_context
from tests.billing.conftest import make_partner
from tests.billing.factories import order_body
from tests.billing.test_pricing_rules import DE_VAT, FR_VAT
from tests.deals.factories import make_deal
from tests.tenancy_support import observer

ORDERS = "/api/v1/orders"


def place(tenant, expect=201, headers=None, **fields) -> dict:
    body = order_body(**fields)
    response = tenant.api().post(ORDERS, body, format="json", headers=headers or {})
    assert response.status_code == expect, response.content
    return response.json()


def counts() -> tuple[int, int, int, int]:
    with observer():
        return (
            Order.objects.count(),
            Licence.objects.count(),
            IdempotencyKey.objects.count(),
            AuditEvent.objects.count(),
        )


def test_an_order_is_priced_and_issues_an_unbound_licence_per_line(
    partner, django_capture_on_commit_callbacks
):
    reseller = partner("reseller", tier=1, country="FR", vat_number=FR_VAT)
    with django_capture_on_commit_callbacks(execute=True):
        body = place(
            reseller,
            lines=[{"product": "pro", "quantity": 3}, {"product": "essential", "quantity": 1}],
        )
    assert body["reference"].startswith("SO-")
    assert body["status"] == "placed"
    assert body["space"] == "reseller"
    assert body["customer_name"] == "Acme Hospital"
    assert body["customer_country"] == "DE"
    assert body["owner"]["id"] == str(reseller.organisation.pk)
    assert body["distributor"] is None
    assert body["supplied"] is False
    assert "distributor_layer" not in body
    pro, essential = body["lines"]
    assert essential["product"] == "essential"
    assert (pro["list_amount"], pro["partner_discount"], pro["net_amount"]) == (
        "3000.00",
        "300.00",
        "2700.00",
    )
    assert pro["tax"] == "540.00"  # French VAT
    assert pro["total"] == "3240.00"
    assert "Reseller" in pro["discount_rule"]
    assert Decimal(body["total"]) == sum(Decimal(line["total"]) for line in body["lines"])
    with observer():
        licences = {
            str(lic.pk): lic for lic in Licence.objects.filter(organisation=reseller.organisation)
        }
    assert len(licences) == 2
    for line in body["lines"]:
        assert line["licence"]["status"] == "unbound"
        licence = licences[line["licence"]["id"]]
        assert licence.customer_name == "Acme Hospital"
        assert licence.billing_period == "yearly"
        assert licence.kind == "customer"
        assert licence.starts_on == timezone.localdate()
        assert licence.ends_on == add_months(licence.starts_on, 12) - timedelta(days=1)
        assert body["reference"] in licence.source
    # Then the buyer's administrator is emailed (and, once its PDF is ready, the invoice)
    (email,) = [m for m in mail.outbox if body["reference"] in m.subject]
    assert email.to == [reseller.admin.email]
    assert body["reference"] in email.subject
    assert f"/space/orders/{body['id']}/" in email.body
    assert "/redeem-code/" not in email.body  # no codes, no redemption page


def test_a_monthly_order_issues_a_monthly_licence(partner):
    reseller = partner("reseller", tier=1, country="US")
    body = place(reseller, billing_period="monthly", customer_country="US")
    assert body["billing_period"] == "monthly"
    assert body["lines"][0]["net_amount"] == "225.00"
    with observer():
        licence = Licence.objects.get(pk=body["lines"][0]["licence"]["id"])
    assert licence.billing_period == "monthly"
    assert licence.ends_on == add_months(licence.starts_on, 1) - timedelta(days=1)


def test_charity_discount_before_the_partner_discount_on_an_order(partner):
    reseller = partner("reseller", tier=1, country="FR", vat_number=FR_VAT)
    body = place(reseller, customer_nonprofit=True)
    assert body["customer_nonprofit"] is True
    assert body["charity_discount"] == "300.00"
    assert body["gross_amount"] == "2700.00"
    assert body["partner_discount"] == "270.00"
    assert body["net_amount"] == "2430.00"


def test_the_personal_space_is_list_price_on_an_order(partner):
    distributor = partner("distributor", tier=2, country="DE", vat_number=DE_VAT)
    body = place(distributor, space="personal", customer_name="", customer_email="")
    assert body["space"] == "personal"
    assert body["partner_discount"] == "0.00"
    assert body["net_amount"] == "3000.00"
    # The partner is its own customer.
    assert body["customer_name"] == distributor.organisation.name
    with observer():
        licence = Licence.objects.get(pk=body["lines"][0]["licence"]["id"])
    assert licence.kind == "nfr"


@pytest.mark.parametrize(
    ("engagement_model", "percent", "net"),
    [("partner_owned", "50.00", "1500.00"), ("co_led_vendor", "30.00", "2100.00")],
)
def test_distributor_discount_by_engagement_model_and_the_deal_is_won(
    partner, engagement_model, percent, net
):
    northwind = partner("distributor", tier=2, country="DE", vat_number=DE_VAT)
    deal = make_deal(
        northwind.organisation,
        status="approved",
        engagement_model=engagement_model,
        product=Product.objects.get(code="pro"),
    )
    body = place(northwind, deal=str(deal.pk))
    assert body["deal"] == str(deal.pk)
    assert body["engagement_model"] == engagement_model
    assert body["lines"][0]["partner_discount_percent"] == percent
    assert body["net_amount"] == net
    deal.refresh_from_db()
    assert deal.status == "won"


def test_no_deal_is_late_involvement_on_an_order(partner):
    northwind = partner("distributor", tier=2, country="DE", vat_number=DE_VAT)
    body = place(northwind)
    assert body["engagement_model"] == "late_involvement"
    assert body["lines"][0]["partner_discount_percent"] == "10.00"
    assert body["net_amount"] == "2700.00"


def test_mattermost_without_a_deal_gives_no_discount(db, vates):
    with system_context("command:seed_demo"):
        mattermost = programme_load(code="mattermost")
        catalogue_load(code="mattermost")
    var = make_partner(
        mattermost, type_code="value_added_reseller", country="US", name="Mattermost VAR"
    )
    body = place(var, lines=[{"product": "mattermost-enterprise", "quantity": 10}])
    assert body["list_amount"] == "1200.00"
    assert body["partner_discount"] == "0.00"
    assert "deal registration" in body["lines"][0]["discount_rule"]


def test_enterprise_is_ordered_in_euros(partner):
    reseller = partner("reseller", tier=2, country="DE", vat_number=DE_VAT)
    body = place(reseller, lines=[{"product": "enterprise", "quantity": 4}])
    assert body["currency"] == "EUR"
    assert body["net_amount"] == "5760.00"
    assert body["tax_kind"] == "reverse_charge"
    assert "Article 196" in body["tax_mention"]


def test_a_per_host_minimum_is_refused_and_nothing_is_written(partner):
    reseller = partner("reseller")
    before = counts()
    body = place(
        reseller,
        expect=400,
        headers={"Idempotency-Key": "below-minimum"},
        lines=[{"product": "pro", "quantity": 3}, {"product": "pro", "quantity": 2}],
    )
    assert "quantity" in body["fields"]
    assert counts() == before


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"customer_name": ""}, "customer_name"),
        ({"customer_email": "not-an-email"}, "customer_email"),
        ({"customer_country": "ZZ"}, "customer_country"),
        ({"customer_country": "CU"}, "customer_country"),  # embargo
        ({"billing_period": "weekly"}, "billing_period"),
        ({"lines": [{"product": "nope", "quantity": 3}]}, "product"),
        ({"lines": [{"product": "pro", "quantity": 3, "copies": 2}]}, "copies"),
        ({"deal": "6f1c1d7e-0000-4000-8000-000000000000"}, "deal"),
    ],
)
def test_bad_input_is_a_clear_400_and_nothing_is_written(partner, change, field):
    reseller = partner("reseller", tier=1, country="FR", vat_number=FR_VAT)
    before = counts()
    body = place(reseller, expect=400, **change)
    assert field in str(body["fields"]), body
    assert counts() == before


def test_a_line_fulfilled_by_codes_makes_single_use_codes_and_a_csv(
    partner, django_capture_on_commit_callbacks
):
    reseller = partner("reseller", tier=1, country="FR", vat_number=FR_VAT)
    with django_capture_on_commit_callbacks(execute=True):
        body = place(
            reseller,
            customer_name="=HYPERLINK(1)",
            lines=[{"product": "pro", "quantity": 3, "fulfilment": "codes", "copies": 4}],
        )
    (line,) = body["lines"]
    assert (line["fulfilment"], line["copies"], line["codes"], line["licence"]) == (
        "codes",
        4,
        4,
        None,
    )
    assert line["list_amount"] == "12000.00"  # four licences of three hosts
    response = reseller.api().get(f"{ORDERS}/{body['id']}/codes")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows[0] == ["code", "product", "quantity", "redeemed", "redeem_at"]
    assert len(rows) == 5
    redeem_at = f"{settings.PORTAL_BASE_URL.rstrip('/')}/redeem-code/"
    assert all(row[2:] == ["3", "", redeem_at] for row in rows[1:])
    # The order's email says where the customers redeem the codes
    (email,) = [m for m in mail.outbox if body["reference"] in m.subject]
    assert f"your customers redeem them at {redeem_at}\n" in email.body


def test_the_list_filters_and_searches(partner):
    reseller = partner("reseller", tier=1, country="FR", vat_number=FR_VAT)
    first = place(reseller, customer_name="Alpha Clinic")
    place(reseller, customer_name="Beta School")
    place(reseller, space="personal")
    client = reseller.api()
    assert client.get(ORDERS).json()["count"] == 3
    found = client.get(ORDERS, {"search": "alpha"}).json()["results"]
    assert [o["id"] for o in found] == [first["id"]]
    assert client.get(ORDERS, {"customer": "beta"}).json()["count"] == 1
    assert client.get(ORDERS, {"space": "personal"}).json()["count"] == 1
    assert client.get(ORDERS, {"supplied": "true"}).json()["count"] == 0
    assert client.get(ORDERS, {"supplied": "false"}).json()["count"] == 3
    ordered = client.get(ORDERS, {"ordering": "created_at"}).json()["results"]
    assert ordered[0]["id"] == first["id"]
    assert client.get(ORDERS, {"status": "nope"}).status_code == 400


# --- two-tier ------------------------------------------------------------------------------


@pytest.fixture
def two_tier(partner):
    northwind = partner("distributor", tier=2, country="DE", vat_number=DE_VAT)
    reseller = partner(
        "reseller", tier=1, country="FR", vat_number=FR_VAT, distributor=northwind.organisation
    )
    return northwind, reseller


def test_a_reseller_orders_through_its_distributor(two_tier):
    northwind, reseller = two_tier
    body = place(reseller)
    assert body["distributor"]["id"] == str(northwind.organisation.pk)
    assert body["supplied"] is False
    assert "distributor_layer" not in body
    assert "distributor_layer" not in reseller.api().get(f"{ORDERS}/{body['id']}").json()
    # Then the distributor reads it, with the vendor's price to it
    seen = northwind.api().get(f"{ORDERS}/{body['id']}")
    assert seen.status_code == 200
    seen = seen.json()
    assert seen["supplied"] is True
    layer = seen["distributor_layer"]
    assert set(layer) == {"discount", "net", "tax", "total", "margin"}
    assert layer["net"] == "2700.00"  # the distributor's late-involvement 10 %
    listed = northwind.api().get(ORDERS, {"supplied": "true"}).json()["results"]
    assert [o["id"] for o in listed] == [body["id"]]
    assert listed[0]["supplied"] is True
    # And cannot change it, nor read its codes
    client = northwind.api()
    assert client.get(f"{ORDERS}/{body['id']}/codes").status_code == 404
    assert client.patch(f"{ORDERS}/{body['id']}", {"status": "paid"}).status_code == 405


def test_a_distributor_orders_for_its_attached_reseller(two_tier):
    northwind, reseller = two_tier
    body = place(northwind, reseller=str(reseller.organisation.pk))
    assert body["owner"]["id"] == str(reseller.organisation.pk)
    assert body["placed_by_distributor"] is True
    assert body["supplied"] is True
    assert "distributor_layer" in body
    with observer():
        order = Order.objects.get(pk=body["id"])
        licence = Licence.objects.get(pk=body["lines"][0]["licence"]["id"])
    assert order.organisation == reseller.organisation
    assert order.distributor == northwind.organisation
    assert licence.organisation == reseller.organisation
    assert licence.distributor == northwind.organisation
    assert reseller.api().get(f"{ORDERS}/{body['id']}").status_code == 200


def test_a_distributor_cannot_order_for_a_reseller_not_attached_to_it(two_tier, partner):
    northwind, _ = two_tier
    stranger = partner("reseller", tier=1, country="FR")
    before = counts()
    place(northwind, expect=404, reseller=str(stranger.organisation.pk))
    assert counts() == before


def test_a_finance_member_cannot_place_an_order(partner):
    finance = partner("reseller", role="finance")
    before = counts()
    place(finance, expect=403)
    assert counts() == before


def test_a_paid_internal_use_licence_does_not_use_up_the_complimentary_nfr(partner):
    # Given a distributor (complimentary NFR) that bought Pro for its own use at list price
    northwind = partner("distributor", tier=2, country="DE", vat_number="DE136695976")
    client = northwind.api()
    bought = client.post(
        "/api/v1/orders",
        {
            "space": "personal",
            "billing_period": "yearly",
            "lines": [{"product": "pro", "quantity": 3}],
        },
        format="json",
    )
    assert bought.status_code == 201, bought.content
    assert bought.json()["net_amount"] == "3000.00"

    # When it asks for its complimentary NFR licence of the same product
    nfr = client.post("/api/v1/licences/nfr", {"product": "pro", "quantity": 3}, format="json")

    # Then it gets it: only a complimentary one running blocks another
    assert nfr.status_code == 201, nfr.content
