"""An order's Idempotency-Key (issue 10): a retry with the same key and body returns the
first order; the same key with another body is refused; twenty requests with one key at
the same moment make one order (real PostgreSQL, one connection per thread)."""

from __future__ import annotations

import threading

import pytest

from billing.models import IdempotencyKey, Order
from licensing.models import Licence
from tests.billing.conftest import make_partner
from tests.billing.factories import order_body
from tests.tenancy_support import observer

ORDERS = "/api/v1/orders"
RACERS = 20


def _post(client, body, key):
    return client.post(ORDERS, body, format="json", headers={"Idempotency-Key": key})


def test_the_same_key_and_body_return_the_first_order(partner):
    reseller = partner("reseller")
    client = reseller.api()
    first = _post(client, order_body(), "retry-1")
    assert first.status_code == 201
    assert "Idempotent-Replayed" not in first.headers
    again = _post(client, order_body(), "retry-1")
    assert again.status_code == 200
    assert again.headers["Idempotent-Replayed"] == "true"
    assert again.json() == first.json()
    with observer():
        assert Order.objects.count() == 1
        assert Licence.objects.count() == 1
    # A new key is a new order
    assert _post(client, order_body(), "retry-2").status_code == 201


def test_the_same_key_with_another_body_is_refused(partner):
    reseller = partner("reseller")
    client = reseller.api()
    assert _post(client, order_body(), "k").status_code == 201
    other = _post(client, order_body(quantity=4), "k")
    assert other.status_code == 409
    assert other.json()["code"] == "idempotency_key_reused"
    with observer():
        assert Order.objects.count() == 1


def test_keys_are_per_organisation(partner):
    one, two = partner("reseller"), partner("reseller")
    assert _post(one.api(), order_body(), "shared").status_code == 201
    assert _post(two.api(), order_body(), "shared").status_code == 201


def test_a_refused_order_keeps_no_key(partner):
    reseller = partner("reseller")
    client = reseller.api()
    assert _post(client, order_body(quantity=2), "fix-and-retry").status_code == 400
    with observer():
        assert IdempotencyKey.objects.count() == 0
    # The corrected body may then use the same key
    assert _post(client, order_body(), "fix-and-retry").status_code == 201


@pytest.mark.parametrize("key", ["k" * 201, "tab\there", "nul\x00byte"])
def test_an_overlong_or_unprintable_key_is_a_400(partner, key):
    reseller = partner("reseller")
    response = _post(reseller.api(), order_body(), key)
    assert response.status_code == 400
    assert response.json()["fields"]["idempotency_key"]
    with observer():
        assert Order.objects.count() == 0


@pytest.fixture
def reseller_committed(vates_committed):
    return make_partner(vates_committed, type_code="reseller", name="Racing Reseller")


@pytest.mark.django_db(transaction=True)
def test_twenty_requests_with_one_key_at_once_make_one_order(reseller_committed):
    from django.db import connection

    clients = [reseller_committed.api() for _ in range(RACERS)]
    barrier = threading.Barrier(RACERS)
    answers: list[tuple[int, str]] = []

    def run(n):
        try:
            barrier.wait(timeout=20)
            response = _post(clients[n], order_body(), "one-order-please")
            answers.append((response.status_code, response.json()["id"]))
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(n,)) for n in range(RACERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)

    statuses = sorted(status for status, _ in answers)
    assert statuses == [200] * (RACERS - 1) + [201], answers
    assert len({order_id for _, order_id in answers}) == 1
    with observer():
        assert Order.objects.count() == 1
        assert Licence.objects.count() == 1
        assert IdempotencyKey.objects.count() == 1


def test_a_distributors_full_length_key_is_kept_apart_and_replays(partner):
    northwind = partner("distributor", tier=2, country="DE")
    reseller = partner("reseller", distributor=northwind.organisation)
    key = "d" * 200  # the longest a key may be, scoped to the distributor when stored
    body = order_body(reseller=str(reseller.organisation.pk))
    first = _post(northwind.api(), body, key)
    assert first.status_code == 201, first.content
    assert _post(northwind.api(), body, key).status_code == 200
    # The reseller's own key of the same text is its own
    assert _post(reseller.api(), order_body(), key).status_code == 201


def test_another_integrity_error_of_the_order_is_not_read_as_a_replay(partner, monkeypatch):
    from django.db import IntegrityError

    from billing.services import orders

    reseller = partner("reseller")

    def broken(**kwargs):
        raise IntegrityError("a constraint of the order, not the key's")

    monkeypatch.setattr(orders, "order_create", broken)
    with pytest.raises(IntegrityError), observer():
        orders.order_place(
            organisation=reseller.organisation,
            actor=reseller.admin,
            role="admin",
            data=order_body(),
            idempotency_key="k",
        )
    with observer():
        assert IdempotencyKey.objects.count() == 0
