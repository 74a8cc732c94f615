"""The reseller space's pages and the API of credits, renewals and upgrades: what each
shows, who may use them, and that they call the services (whose rules are tested in
test_credits.py, test_renewals.py and test_upgrades.py)."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.utils import timezone

from billing.models import Order
from billing.services.orders import order_place
from licensing.models import Licence
from tests.billing.credit_support import xo_order_body
from tests.billing.licence_sale_support import DE_VAT, sell
from tests.partners.factories_team import member_of
from tests.tenancy_support import observer

pytestmark = pytest.mark.django_db

D = Decimal


def ending_in(licence: Licence, days: int) -> Licence:
    """Move a sold licence's term so that it ends in ``days`` days (test set-up)."""
    today = timezone.localdate()
    with observer():
        Licence.objects.filter(pk=licence.pk).update(
            starts_on=today - datetime.timedelta(days=365 - days),
            ends_on=today + datetime.timedelta(days=days),
        )
        return Licence.objects.get(pk=licence.pk)


def browser_of(user):
    from django.test import Client

    client = Client()
    client.force_login(user)
    return client


# --- credits -------------------------------------------------------------------------------


def test_the_credit_page_and_api_show_the_balance_and_the_ledger(xo_partner):
    reseller = xo_partner()
    with observer():
        first = order_place(
            organisation=reseller.organisation, actor=None, role="admin", data=xo_order_body()
        ).order

    page = reseller.browser().get("/space/credits/").content.decode()
    assert "300.00 USD" in page
    assert first.reference in page
    assert "Earned (first sale)" in page

    body = reseller.api().get("/api/v1/credits").json()
    assert body["balances"] == [
        {
            "currency": "USD",
            "amount": "300.00",
            "next_expiry": body["balances"][0]["next_expiry"],
            "next_expiry_amount": "300.00",
        }
    ]
    assert body["count"] == 1
    (entry,) = body["results"]
    assert (entry["kind"], entry["amount"], entry["order"]) == ("earned", "300.00", first.reference)


def test_a_partner_without_credit_sees_none(partner):
    reseller = partner("reseller", tier=1, country="DE", vat_number=DE_VAT)
    page = reseller.browser().get("/space/credits/").content.decode()
    assert 'id="no-balance"' in page
    assert "gives no first-sale credit" in page
    assert reseller.api().get("/api/v1/credits").json()["balances"] == []


# --- renewals ------------------------------------------------------------------------------


def test_renewals_due_are_listed_with_their_price_at_todays_rules(partner):
    # Given a licence ending in 20 days and another in 200
    reseller = partner("reseller", tier=2, country="DE", vat_number=DE_VAT)
    _sale, soon = sell(reseller, "essential", 2, customer_name="Soon Customer")
    _sale, later = sell(reseller, "pro", 3, customer_name="Later Customer")
    soon = ending_in(soon, 20)
    ending_in(later, 200)

    # Then the page and the API list the first, with its renewal (Essential at 20%)
    page = reseller.browser().get("/space/renewals/").content.decode()
    assert "Soon Customer" in page
    assert "Later Customer" not in page
    assert f"/space/licences/{soon.pk}/renew/" in page
    assert "1,600.00" in page

    body = reseller.api().get("/api/v1/renewals").json()
    assert body["count"] == 1
    (item,) = body["results"]
    assert item["licence"]["id"] == str(soon.pk)
    assert item["days_left"] == 20
    assert item["renewable"] is True
    assert item["renewal"]["starts_on"] == (soon.ends_on + datetime.timedelta(days=1)).isoformat()
    assert item["renewal"]["pricing"]["net_amount"] == "1600.00"
    # ...further ahead on request; a wrong horizon is a 400 on its field
    assert reseller.api().get("/api/v1/renewals?days=366").json()["count"] == 2
    wrong = reseller.api().get("/api/v1/renewals?days=0")
    assert wrong.status_code == 400
    assert "days" in wrong.json()["fields"]


def test_a_member_who_may_not_buy_sees_renewals_without_the_action(partner):
    reseller = partner("reseller", tier=2, country="DE", vat_number=DE_VAT)
    _sale, licence = sell(reseller, "essential", 2)
    licence = ending_in(licence, 20)
    technical = member_of(reseller, role="technical").user
    client = browser_of(technical)
    page = client.get("/space/renewals/").content.decode()
    assert licence.product_name in page
    assert f"/space/licences/{licence.pk}/renew/" not in page
    assert client.get(f"/space/licences/{licence.pk}/renew/").status_code == 403
    detail = client.get(f"/space/licences/{licence.pk}/").content.decode()
    assert "/renew/" not in detail
    assert "/upgrade/" not in detail


def test_renewing_from_the_page(partner):
    reseller = partner("reseller", tier=2, country="DE", vat_number=DE_VAT)
    _sale, licence = sell(reseller, "essential", 2)
    licence = ending_in(licence, 20)
    client = reseller.browser()
    detail = client.get(f"/space/licences/{licence.pk}/").content.decode()
    assert f"/space/licences/{licence.pk}/renew/" in detail

    page = client.get(f"/space/licences/{licence.pk}/renew/").content.decode()
    assert 'id="new-term"' in page
    assert "Renew for 1,600.00 USD" in page

    response = client.post(f"/space/licences/{licence.pk}/renew/", {"idempotency_key": "r-1"})
    assert response.status_code == 302
    with observer():
        order = Order.objects.get(kind=Order.Kind.RENEWAL)
        assert response["Location"] == f"/space/orders/{order.pk}/"
        assert Licence.objects.get(pk=licence.pk).ends_on > licence.ends_on
    # The same form sent again (a double click) places nothing more
    again = client.post(f"/space/licences/{licence.pk}/renew/", {"idempotency_key": "r-1"})
    assert again.status_code == 302
    with observer():
        assert Order.objects.filter(kind=Order.Kind.RENEWAL).count() == 1

    # Renewed, it is not due again: the page says so
    page = client.get(f"/space/licences/{licence.pk}/renew/").content.decode()
    assert 'id="refusal"' in page


def test_renewing_through_the_api(partner):
    reseller = partner("reseller", tier=2, country="DE", vat_number=DE_VAT)
    _sale, licence = sell(reseller, "essential", 2)
    licence = ending_in(licence, 10)
    api = reseller.api()
    url = f"/api/v1/licences/{licence.pk}/renew"

    preview = api.post(url, {"preview": True}, format="json")
    assert preview.status_code == 200
    assert preview.json()["pricing"]["net_amount"] == "1600.00"

    placed = api.post(url, {}, format="json", headers={"Idempotency-Key": "renew-1"})
    assert placed.status_code == 201, placed.json()
    assert placed.json()["kind"] == "renewal"
    replay = api.post(url, {}, format="json", headers={"Idempotency-Key": "renew-1"})
    assert replay.status_code == 200
    assert replay.headers["Idempotent-Replayed"] == "true"
    assert replay.json()["id"] == placed.json()["id"]

    refused = api.post(url, {}, format="json")
    assert refused.status_code == 400
    assert refused.json()["code"] == "renewal_not_due"


# --- upgrades ------------------------------------------------------------------------------


def test_upgrading_from_the_page(partner):
    reseller = partner("reseller", tier=3, country="DE", vat_number=DE_VAT)
    _sale, licence = sell(reseller, "pro", 3)
    client = reseller.browser()
    url = f"/space/licences/{licence.pk}/upgrade/"
    assert url in client.get(f"/space/licences/{licence.pk}/").content.decode()

    page = client.get(url).content.decode()
    assert 'name="product"' in page
    assert "Place the upgrade" not in page  # only once previewed

    form = {"idempotency_key": "u-1", "product": "pro", "quantity": "5"}
    preview = client.post(url, {**form, "action": "preview"})
    assert preview.status_code == 200
    body = preview.content.decode()
    assert "Upgrade credit" in body
    assert "365 of 365 days" in body or "366 of 366 days" in body
    assert "Place the upgrade" in body

    refused = client.post(url, {**form, "quantity": "3", "action": "preview"})
    assert refused.status_code == 400
    assert "is-invalid" in refused.content.decode()

    placed = client.post(url, {**form, "action": "place"})
    assert placed.status_code == 302
    with observer():
        order = Order.objects.get(kind=Order.Kind.UPGRADE)
        assert order.upgrade_credit == D("2100.00")  # the whole term, unused
        assert Licence.objects.get(pk=licence.pk).quantity == 5


def test_upgrading_through_the_api(partner):
    reseller = partner("reseller", tier=3, country="DE", vat_number=DE_VAT)
    _sale, licence = sell(reseller, "pro", 3)
    api = reseller.api()
    url = f"/api/v1/licences/{licence.pk}/upgrade"

    preview = api.post(url, {"product": "pro", "quantity": 5, "preview": True}, format="json")
    assert preview.status_code == 200, preview.json()
    body = preview.json()
    assert body["upgrade_credit"] == "2100.00"
    assert body["unused"][0]["invoice"].startswith("INV-")
    assert body["pricing"]["credit_applied"] == "2100.00"
    assert body["pricing"]["net_amount"] == "1400.00"

    placed = api.post(url, {"product": "pro", "quantity": 5}, format="json")
    assert placed.status_code == 201, placed.json()
    assert (placed.json()["kind"], placed.json()["credit_applied"]) == ("upgrade", "2100.00")

    smaller = api.post(url, {"product": "pro", "quantity": 4, "preview": True}, format="json")
    assert smaller.status_code == 400
    assert smaller.json()["code"] == "not_an_upgrade"


def test_a_distributor_never_upgrades_its_resellers_licences_and_finance_may_not(partner):
    distributor = partner("distributor", tier=2, country="DE", vat_number=DE_VAT)
    reseller = partner("reseller", tier=2, country="DE", distributor=distributor.organisation)
    _sale, licence = sell(reseller, "pro", 3)
    with observer():
        assert licence.distributor_id == distributor.organisation.pk
    for path in (f"/space/licences/{licence.pk}/upgrade/", f"/space/licences/{licence.pk}/renew/"):
        assert distributor.browser().get(path).status_code == 404
    response = distributor.api().post(
        f"/api/v1/licences/{licence.pk}/upgrade", {"product": "pro", "quantity": 5}, format="json"
    )
    assert response.status_code == 404
    finance = member_of(reseller, role="finance").user
    assert browser_of(finance).get(f"/space/licences/{licence.pk}/upgrade/").status_code == 403


@pytest.mark.django_db(transaction=True)
def test_an_upgrade_and_a_renewal_through_the_api_as_in_production(vates_committed):
    # Row-level security as in production (a committed request in the partner's own
    # context): the invoice is locked and credited, the licence changed, the ledger read.
    from tests.billing.conftest import make_partner

    reseller = make_partner(vates_committed, type_code="reseller", tier=3, vat_number=DE_VAT)
    _sale, licence = sell(reseller, "pro", 3)
    api = reseller.api()
    placed = api.post(
        f"/api/v1/licences/{licence.pk}/upgrade", {"product": "pro", "quantity": 4}, format="json"
    )
    assert placed.status_code == 201, placed.json()
    assert placed.json()["upgrade_credit"] == "2100.00"
    licence = ending_in(licence, 30)
    renewed = api.post(f"/api/v1/licences/{licence.pk}/renew", {}, format="json")
    assert renewed.status_code == 201, renewed.json()
    assert renewed.json()["net_amount"] == "2800.00"
