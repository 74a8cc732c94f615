"""The channel team's admin of orders: read-only, lines inline with links to licences,
filters and search; redemption codes listed read-only."""

from __future__ import annotations

from django.contrib.auth.models import Group
from django.test import Client

from portal.staff_groups import CHANNEL_FINANCE
from tests.billing.factories import place_order
from tests.billing.test_pricing_rules import FR_VAT
from tests.factories import staff_user

ORDERS = "/admin/billing/order/"
CODES = "/admin/billing/redemptioncode/"


def _staff() -> Client:
    """A member of the channel team's finance group (as migrated), no other permission."""
    user = staff_user()
    user.groups.add(Group.objects.get(name=CHANNEL_FINANCE))
    client = Client()
    client.force_login(user)
    return client


def test_an_order_is_read_only_with_its_lines_and_licences(partner):
    reseller = partner("reseller", tier=1, country="FR", vat_number=FR_VAT)
    order = place_order(
        reseller.organisation,
        customer_name="Admin Clinic",
        lines=[
            {"product": "pro", "quantity": 3},
            {"product": "pro", "quantity": 3, "fulfilment": "codes", "copies": 2},
        ],
    )
    licence_id = order.lines.get(position=1).licence_id
    client = _staff()
    listed = client.get(ORDERS, {"q": "admin clinic"}).content.decode()
    assert order.reference in listed
    assert (
        client.get(ORDERS, {"space__exact": "personal"}).content.decode().count(order.reference)
        == 0
    )
    page = client.get(f"{ORDERS}{order.pk}/change/")
    assert page.status_code == 200
    body = page.content.decode()
    assert f"/admin/licensing/licence/{licence_id}/change/" in body
    assert "3,000.00" in body or "3000.00" in body
    assert 'name="_save"' not in body  # nothing to change
    assert client.get(f"{ORDERS}add/").status_code == 403
    assert client.post(f"{ORDERS}{order.pk}/delete/").status_code == 403
    codes = client.get(CODES, {"q": order.reference}).content.decode()
    assert codes.count(order.reference) >= 2
