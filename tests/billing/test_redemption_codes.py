"""Redemption codes (issue 10): an order line fulfilled by single-use codes; the end
customer redeems one on the public page and gets a licence bound to their email, once,
even when the code is sent many times at once."""

from __future__ import annotations

import threading

import pytest
from django.core import mail
from django.db import connection
from django.test import Client

from billing.models import Order, RedemptionCode
from billing.services.codes import code_normalise
from billing.throttles import RedemptionCodeRateThrottle
from licensing.models import CustomerLink, Licence
from partners.models import EmbargoedTerritory
from portal.models import AuditEvent
from tests.billing.conftest import make_partner
from tests.billing.factories import place_order
from tests.billing.test_pricing_rules import DE_VAT, FR_VAT
from tests.routes.harness import changed, snapshot
from tests.tenancy_support import observer

PAGE = "/redeem-code/"
NOT_VALID = "This code is not valid or already used."


def codes_of(organisation, *, copies=3, distributor=None) -> list[str]:
    order = place_order(
        organisation,
        lines=[{"product": "pro", "quantity": 3, "fulfilment": "codes", "copies": copies}],
    )
    with observer():
        return list(RedemptionCode.objects.filter(line__order=order).values_list("code", flat=True))


def answers(code, **changes) -> dict:
    return {
        "code": code,
        "name": "Dana Admin",
        "company": "Acme Hospital",
        "email": "Dana@Acme-Hospital.example",
        "country": "DE",
        **changes,
    }


def test_a_customer_redeems_a_code_and_is_emailed_the_link(
    partner, django_capture_on_commit_callbacks
):
    northwind = partner("distributor", tier=2, country="DE", vat_number=DE_VAT)
    reseller = partner(
        "reseller", tier=1, country="FR", vat_number=FR_VAT, distributor=northwind.organisation
    )
    code, *_ = codes_of(reseller.organisation)
    page = Client().get(PAGE)
    assert page.status_code == 200
    # Typed loosely: lower case, spaces for dashes
    typed = code.lower().replace("-", " ")
    with django_capture_on_commit_callbacks(execute=True):
        response = Client().post(PAGE, answers(typed))
    assert response.status_code == 200, response.content
    assert "dana@acme-hospital.example" in response.content.decode()
    with observer():
        row = RedemptionCode.objects.select_related("licence", "line__order").get(code=code)
        licence = row.licence
        link = CustomerLink.objects.get(licence=licence, purpose=CustomerLink.Purpose.REDEEM)
        assert AuditEvent.objects.filter(action="order.code_redeemed").count() == 1
    assert row.redeemed_at is not None
    assert row.redeemed_email == "dana@acme-hospital.example"
    assert licence.organisation == reseller.organisation
    assert licence.distributor == northwind.organisation
    assert (licence.product_code, licence.quantity, licence.plan_id) == ("pro", 3, row.line.plan_id)
    assert licence.status == Licence.Status.BOUND
    assert licence.customer_email == "dana@acme-hospital.example"
    assert licence.customer_name == "Acme Hospital"
    assert licence.billing_period == row.line.order.billing_period
    assert link.email == "dana@acme-hospital.example"
    (email,) = [m for m in mail.outbox if m.to == ["dana@acme-hospital.example"]]
    assert "/licence/redeem/" in email.body


def test_a_used_code_and_an_unknown_one_get_the_same_answer(partner):
    reseller = partner("reseller", tier=1, country="FR", vat_number=FR_VAT)
    code, *_ = codes_of(reseller.organisation)
    assert Client().post(PAGE, answers(code)).status_code == 200
    before = snapshot()
    used = Client().post(PAGE, answers(code, email="other@else.example"))
    unknown = Client().post(PAGE, answers("AAAA-BBBB-CCCC-DDDD"))
    garbage = Client().post(PAGE, answers("nope"))
    for response in (used, unknown, garbage):
        assert response.status_code == 400
        assert NOT_VALID in response.content.decode()
    assert changed(before, snapshot()) == []
    with observer():
        assert Licence.objects.filter(organisation=reseller.organisation).count() == 1


def test_a_code_of_a_cancelled_order_is_not_valid(partner):
    reseller = partner("reseller", tier=1, country="FR", vat_number=FR_VAT)
    code, *_ = codes_of(reseller.organisation, copies=1)
    with observer():
        Order.objects.filter(lines__codes__code=code).update(status=Order.Status.CANCELLED)
    response = Client().post(PAGE, answers(code))
    assert response.status_code == 400
    assert NOT_VALID in response.content.decode()


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"email": "not-an-email"}, "email"),
        ({"company": " "}, "company"),
        ({"name": ""}, "name"),
        ({"country": "ZZ"}, "country"),
    ],
)
def test_bad_answers_are_refused_beside_their_field(partner, change, field):
    reseller = partner("reseller", tier=1, country="FR", vat_number=FR_VAT)
    code, *_ = codes_of(reseller.organisation, copies=1)
    response = Client().post(PAGE, answers(code, **change))
    assert response.status_code == 400
    assert f'name="{field}"' in response.content.decode()
    with observer():
        assert RedemptionCode.objects.get(code=code).redeemed_at is None


def test_an_embargoed_country_is_refused(partner, vates):
    reseller = partner("reseller", tier=1, country="FR", vat_number=FR_VAT)
    code, *_ = codes_of(reseller.organisation, copies=1)
    with observer():
        EmbargoedTerritory.objects.get_or_create(programme=vates, country="CU", region_code="")
    response = Client().post(PAGE, answers(code, country="CU"))
    assert response.status_code == 400
    assert "embargo" in response.content.decode()
    with observer():
        assert RedemptionCode.objects.get(code=code).redeemed_at is None
        assert Licence.objects.count() == 0


def test_the_page_is_rate_limited(partner, monkeypatch):
    monkeypatch.setattr(
        RedemptionCodeRateThrottle, "THROTTLE_RATES", {"redemption_codes": "2/hour"}
    )
    client = Client()
    for _ in range(2):
        assert client.post(PAGE, answers("AAAA-BBBB-CCCC-DDDD")).status_code == 400
    assert client.post(PAGE, answers("AAAA-BBBB-CCCC-DDDD")).status_code == 429
    assert client.get(PAGE).status_code == 200  # opening it is not counted


def test_codes_are_normalised_or_refused():
    assert code_normalise(" abcd-efgh ijkl_mnop ") == "ABCD-EFGH-IJKL-MNOP"
    assert code_normalise("ABCD-EFGH-IJKL") == ""
    assert code_normalise("") == ""


@pytest.fixture
def reseller_committed(vates_committed):
    return make_partner(vates_committed, type_code="reseller", name="Code Reseller")


@pytest.mark.django_db(transaction=True)
def test_one_code_sent_ten_times_at_once_makes_one_licence(reseller_committed):
    (code,) = codes_of(reseller_committed.organisation, copies=1)
    racers = 10
    barrier = threading.Barrier(racers)
    statuses: list[int] = []

    def run(n):
        try:
            barrier.wait(timeout=20)
            body = answers(code, email=f"racer{n}@acme.example")
            statuses.append(Client().post(PAGE, body, REMOTE_ADDR=f"10.0.0.{n + 1}").status_code)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(n,)) for n in range(racers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert sorted(statuses) == [200] + [400] * (racers - 1), statuses
    with observer():
        assert Licence.objects.count() == 1
        assert RedemptionCode.objects.get(code=code).licence_id is not None
