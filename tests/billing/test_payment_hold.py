"""Licences held until the order is paid (issue 11: "a paid order releases what a programme
holds back until payment"): with the programme's setting on, an unpaid order's licences are
not bound to the customer (nor its redemption codes redeemed), and the refusal names the
invoice awaited; marking the order paid releases them, and its page and an email say so.
Vates leaves the setting off: its licences are bound at once."""

from __future__ import annotations

import pytest
from django.core import mail
from django.test import Client

from billing.models import Invoice, Order, RedemptionCode
from billing.selectors.payments import order_awaiting_payment_for_licence
from licensing.models import Licence
from licensing.services.binding import licence_bind
from portal.errors import Conflict
from portal.tenancy.context import tenant_context
from tests.billing.factories import place_order
from tests.billing.payment_support import invoice_of, mark_paid
from tests.billing.test_pricing_rules import DE_VAT, FR_VAT
from tests.licensing.factories import issue_licence
from tests.tenancy_support import observer

CUSTOMER = "it@acme-hospital.example"


@pytest.fixture
def holding(vates):
    """A programme that holds licences until payment (the Vates seed, switched on)."""
    vates.hold_licences_until_paid = True
    vates.save(update_fields=["hold_licences_until_paid"])
    return vates


def licence_of(order: Order) -> Licence:
    with observer():
        return order.lines.get(position=1).licence


def bind(tenant, licence):
    with tenant_context(tenant.organisation.pk):
        return licence_bind(actor=tenant.admin, licence=licence, email=CUSTOMER)


def test_vates_holds_nothing_its_licences_are_bound_at_once(vates, partner):
    assert vates.hold_licences_until_paid is False
    reseller = partner("reseller", tier=1, country="FR", vat_number=FR_VAT)
    order = place_order(reseller.organisation)
    licence = licence_of(order)

    assert order_awaiting_payment_for_licence(licence) is None
    assert bind(reseller, licence).email == CUSTOMER
    page = reseller.browser().get(f"/space/orders/{order.pk}/").content.decode()
    assert "held until payment" not in page.lower()


def test_an_unpaid_orders_licence_is_held_then_released_when_paid(
    holding, partner, django_capture_on_commit_callbacks
):
    # Given an order placed under a programme that holds licences until payment
    reseller = partner("reseller", tier=1, country="FR", vat_number=FR_VAT)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        order = place_order(reseller.organisation)
    invoice = invoice_of(order)
    licence = licence_of(order)
    placed = next(m for m in mail.outbox if "placed" in m.subject)
    assert f"invoice {invoice.reference} is paid" in placed.body
    assert "ready to bind" not in placed.body

    # When the partner binds its licence, it is refused, naming the invoice awaited
    with pytest.raises(Conflict) as held:
        bind(reseller, licence)
    assert held.value.code == "awaiting_payment"
    assert invoice.reference in held.value.message
    assert order.reference in held.value.message
    with observer():
        licence.refresh_from_db()
    assert licence.status == Licence.Status.UNBOUND
    # And the order's page says so, without a bind link
    client = reseller.browser()
    page = client.get(f"/space/orders/{order.pk}/").content.decode()
    assert 'id="order-payment-hold"' in page
    assert invoice.reference in page
    assert f"/space/licences/{licence.pk}/bind/" not in page
    # And the bind page and the API answer the same refusal
    response = client.post(f"/space/licences/{licence.pk}/bind/", {"email": CUSTOMER})
    assert response.status_code == 409
    assert invoice.reference in response.content.decode()
    api = reseller.api().post(f"/api/v1/licences/{licence.pk}/bind", {"email": CUSTOMER})
    assert api.status_code == 409
    assert api.json()["code"] == "awaiting_payment"

    # When the channel team marks the invoice paid
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        mark_paid(invoice)

    # Then the order is paid, its page and an email say its licences are released
    with observer():
        order.refresh_from_db()
    assert order.status == Order.Status.PAID
    page = client.get(f"/space/orders/{order.pk}/").content.decode()
    assert 'id="order-payment-released"' in page
    assert f"/space/licences/{licence.pk}/bind/" in page
    released = next(m for m in mail.outbox if "licences are released" in m.subject)
    assert released.to == [reseller.admin.email]
    assert order.reference in released.body
    confirmed = next(m for m in mail.outbox if "Payment received" in m.subject)
    assert "can now be bound" in confirmed.body
    # And the licence is bound
    assert bind(reseller, licence).email == CUSTOMER


def test_a_two_tier_sale_is_held_until_the_distributors_invoice_is_paid(holding, partner):
    northwind = partner("distributor", tier=2, country="DE", vat_number=DE_VAT)
    reseller = partner(
        "reseller", tier=1, country="FR", vat_number=FR_VAT, distributor=northwind.organisation
    )
    order = place_order(reseller.organisation)
    invoice = invoice_of(order)
    assert invoice.organisation == northwind.organisation  # the vendor invoices the distributor
    licence = licence_of(order)

    # The reseller cannot read its distributor's invoice: the refusal names the order
    with pytest.raises(Conflict) as held:
        bind(reseller, licence)
    assert "your distributor" in held.value.message
    assert invoice.reference not in held.value.message
    # The distributor, who pays, reads which of its invoices is awaited
    supplied = northwind.browser().get(f"/space/orders/{order.pk}/").content.decode()
    assert invoice.reference in supplied

    mark_paid(invoice)
    assert bind(reseller, licence).email == CUSTOMER


def test_a_licence_no_order_issued_is_never_held(holding, partner):
    reseller = partner("reseller", tier=1, country="FR", vat_number=FR_VAT)
    trial = issue_licence(reseller.organisation, kind="trial")
    assert order_awaiting_payment_for_licence(trial) is None
    assert bind(reseller, trial).email == CUSTOMER


def test_redemption_codes_wait_for_the_payment_too(holding, partner):
    reseller = partner("reseller", tier=1, country="FR", vat_number=FR_VAT)
    order = place_order(
        reseller.organisation,
        lines=[{"product": "pro", "quantity": 3, "fulfilment": "codes", "copies": 2}],
    )
    with observer():
        code = RedemptionCode.objects.filter(line__order=order).first().code
    answers = {
        "code": code,
        "name": "Dana Admin",
        "company": "Acme Hospital",
        "email": "dana@acme-hospital.example",
        "country": "DE",
    }
    refused = Client().post("/redeem-code/", answers)
    assert refused.status_code == 400
    body = refused.content.decode()
    assert "order is paid. Try again later" in body
    with observer():
        reference = Invoice.objects.get(order=order).reference
    assert reference not in body  # the customer learns nothing of the partner's invoices
    with observer():
        assert RedemptionCode.objects.get(code=code).redeemed_at is None

    mark_paid(invoice_of(order))
    assert Client().post("/redeem-code/", answers).status_code == 200
