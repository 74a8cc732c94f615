"""Seats of a per-user licence: the customer names the users who hold them through the
management link emailed with the key, never beyond the licence's quantity."""

from __future__ import annotations

import threading

import pytest
from django.db import connection
from django.test import Client

from licensing.models import CustomerLink, Licence, LicenceEvent, Seat
from licensing.selectors.links import link_token
from licensing.services.seats import seat_add
from portal.errors import Conflict
from tests.licensing.factories_links import seats_link
from tests.routes.harness import changed, snapshot

pytestmark = pytest.mark.django_db


def _url(link: CustomerLink) -> str:
    return f"/licence/seats/{link_token(link)}/"


def test_the_customer_adds_and_removes_seat_holders_within_the_quantity(tenants):
    # Given a redeemed licence for 2 users and its management link
    link = seats_link(tenants.bob.organisation, quantity=2)
    url = _url(link)
    client = Client()

    # When the customer opens the page (changing nothing) and names two users
    before = snapshot()
    page = client.get(url)
    assert changed(before, snapshot()) == []
    assert page.status_code == 200
    assert "0 of 2 seats used" in page.content.decode()
    added = client.post(
        url, {"action": "add", "name": "Ada Lovelace", "email": "ADA@customer.example"}, follow=True
    )
    client.post(url, {"action": "add", "name": "", "email": "grace@customer.example"})

    # Then both hold a seat, and the third is refused
    assert "Ada Lovelace now holds a seat" in added.content.decode()
    assert sorted(Seat.objects.filter(licence=link.licence).values_list("email", flat=True)) == [
        "ada@customer.example",
        "grace@customer.example",
    ]
    full = client.get(url).content.decode()
    assert "2 of 2 seats used" in full
    assert "Every seat is taken" in full
    refused = client.post(url, {"action": "add", "email": "third@customer.example"})
    assert refused.status_code == 409
    assert "All 2 seats are taken" in refused.content.decode()

    # When one is removed, the seat is free again
    ada = Seat.objects.get(email="ada@customer.example")
    removed = client.post(url, {"action": "remove", "seat": str(ada.pk)}, follow=True)
    assert "Ada Lovelace no longer holds a seat" in removed.content.decode()
    assert client.post(url, {"action": "add", "email": "third@customer.example"}).status_code == 302
    events = link.licence.events.filter(kind=LicenceEvent.Kind.SEATS_CHANGED)
    assert events.count() == 4
    assert all(e.actor is None for e in events)


def test_bad_duplicate_or_foreign_seats_are_refused_clearly(tenants):
    link = seats_link(tenants.bob.organisation, quantity=5)
    other = seats_link(tenants.alice.organisation, quantity=5)
    foreign = seat_add(link_id=other.pk, name="Alice's user", email="user@alice-customer.example")
    client = Client()
    url = _url(link)
    assert client.post(url, {"action": "add", "email": "not-an-address"}).status_code == 400
    client.post(url, {"action": "add", "email": "once@customer.example"})
    twice = client.post(url, {"action": "add", "email": "once@customer.example"})
    assert twice.status_code == 400
    assert "already holds a seat" in twice.content.decode()
    # Another licence's seat cannot be removed through this link
    for seat in (str(foreign.pk), "not-a-uuid"):
        response = client.post(url, {"action": "remove", "seat": seat})
        assert response.status_code == 404
    assert Seat.objects.filter(pk=foreign.pk).exists()


def test_the_link_stops_working_when_the_licence_is_no_longer_active(tenants):
    link = seats_link(tenants.bob.organisation)
    Licence.objects.filter(pk=link.licence_id).update(status=Licence.Status.EXPIRED)
    for response in (Client().get(_url(link)), Client().post(_url(link), {"email": "x@y.example"})):
        assert response.status_code == 410
        assert "can no longer be changed" in response.content.decode()
    tampered = Client().get(_url(link)[:-6] + "xyz/")
    assert tampered.status_code == 400
    # A redemption token is no seat token
    redeem_link = CustomerLink.objects.get(licence=link.licence, purpose="redeem")
    assert Client().get(f"/licence/seats/{link_token(redeem_link)}/").status_code == 400


@pytest.mark.django_db(transaction=True)
def test_simultaneous_additions_never_exceed_the_quantity(tenants_committed):
    # Given 3 seats and 10 people added at the same moment
    link = seats_link(tenants_committed.bob.organisation, quantity=3)
    barrier = threading.Barrier(10)
    outcomes: list[str] = []

    def add(n: int) -> None:
        try:
            barrier.wait(timeout=30)
            seat_add(link_id=link.pk, name="", email=f"user{n}@customer.example")
            outcomes.append("added")
        except Conflict as exc:
            outcomes.append(exc.code)
        except Exception as exc:  # reported by the assertion below
            outcomes.append(repr(exc))
        finally:
            connection.close()

    threads = [threading.Thread(target=add, args=(n,)) for n in range(10)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    # Then exactly three hold a seat
    assert sorted(outcomes) == ["added"] * 3 + ["seats_full"] * 7, outcomes
    assert Seat.objects.filter(licence=link.licence).count() == 3
