"""The end customer's signature of a quote through the emailed link (no account): GET shows
the customer-facing quote and changes nothing; POST records name, time and address once."""

from __future__ import annotations

import re

import pytest
from django.core import mail
from django.test import Client

from billing.models import Quote
from billing.services.quote_signature import signature_token
from billing.services.quotes import quote_send_to_customer
from billing.throttles import QuoteSignatureRateThrottle
from portal.models import AuditEvent
from portal.tenancy.context import tenant_context
from tests.billing.quote_support import FR_VAT, make_quote, private_media  # noqa: F401
from tests.tenancy_support import observer

pytestmark = pytest.mark.usefixtures("private_media")


@pytest.fixture
def sent(partner, django_capture_on_commit_callbacks):
    reseller = partner("reseller", tier=1, country="FR", vat_number=FR_VAT)
    quote = make_quote(reseller)
    with django_capture_on_commit_callbacks(execute=True), tenant_context(reseller.organisation.pk):
        quote = quote_send_to_customer(quote=quote, actor=reseller.admin, role="sales")
    return reseller, quote


def _link(quote) -> str:
    return f"/quote/{signature_token(quote)}/"


def _snapshot(quote):
    with observer():
        row = Quote.objects.get(pk=quote.pk)
        return (row.status, row.signed_name, row.signed_at, AuditEvent.objects.count())


def test_the_email_carries_the_link(sent):
    _, quote = sent
    [email] = mail.outbox
    assert email.to == [quote.customer_email]
    assert _link(quote) in email.body


def test_the_email_task_gets_ids_only_never_the_token(partner, monkeypatch):
    from billing import tasks

    queued = []
    monkeypatch.setattr(
        tasks.send_quote_email, "delay_on_commit", lambda *a, **kw: queued.append((a, kw))
    )
    reseller = partner("reseller")
    quote = make_quote(reseller)
    with tenant_context(reseller.organisation.pk):
        quote = quote_send_to_customer(quote=quote, actor=reseller.admin, role="admin")
    assert queued == [
        (
            (),
            {
                "organisation_id": str(reseller.organisation.pk),
                "quote_id": str(quote.pk),
                "event": "signature",
            },
        )
    ]


def test_opening_the_link_shows_the_customers_quote_and_changes_nothing(sent):
    reseller, quote = sent
    before = _snapshot(quote)
    page = Client().get(_link(quote))
    assert page.status_code == 200
    html = page.content.decode()
    assert quote.reference in html
    assert reseller.organisation.name in html
    assert "3,000.00" in html  # the list price
    assert "2,700.00" not in html  # never the partner's net
    assert "300.00" not in html  # nor its discount
    assert _snapshot(quote) == before


def test_signing_records_name_time_and_address_once(sent, django_capture_on_commit_callbacks):
    reseller, quote = sent
    client = Client(REMOTE_ADDR="203.0.113.7")
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(_link(quote), {"name": "  Jo   Buyer ", "accept": "on"})
    assert response.status_code == 200
    assert "the quote is signed" in response.content.decode()
    with observer():
        quote.refresh_from_db()
        assert AuditEvent.objects.filter(action="quote.signed", object_id=str(quote.pk)).exists()
    assert (quote.status, quote.signed_name, quote.signed_ip) == (
        Quote.Status.SIGNED,
        "Jo Buyer",
        "203.0.113.7",
    )
    assert quote.signed_at is not None
    # The partner hears of it.
    assert any(
        "signed by Jo Buyer" in m.subject and reseller.admin.email in m.to for m in mail.outbox
    )

    before = _snapshot(quote)
    again = client.post(_link(quote), {"name": "Someone Else", "accept": "on"})
    assert again.status_code == 410
    assert _snapshot(quote) == before
    shown = client.get(_link(quote))  # the page now says who signed
    assert shown.status_code == 200
    assert "Jo Buyer" in shown.content.decode()


def test_a_name_and_the_acceptance_are_required(sent):
    _, quote = sent
    before = _snapshot(quote)
    assert Client().post(_link(quote), {"name": "", "accept": "on"}).status_code == 400
    assert Client().post(_link(quote), {"name": "Jo"}).status_code == 400
    assert _snapshot(quote) == before


def test_a_tampered_or_cancelled_link_does_not_sign(sent):
    _, quote = sent
    token = signature_token(quote)
    tampered = Client().get(f"/quote/{re.sub(r'.$', 'x', token)}x/")
    assert tampered.status_code == 400
    with observer():
        Quote.objects.filter(pk=quote.pk).update(status=Quote.Status.CANCELLED)
    assert Client().get(_link(quote)).status_code == 410
    assert Client().post(_link(quote), {"name": "Jo", "accept": "on"}).status_code == 410


def test_signing_is_rate_limited_per_address(sent, monkeypatch):
    _, quote = sent
    monkeypatch.setattr(QuoteSignatureRateThrottle, "THROTTLE_RATES", {"customer_links": "1/hour"})
    client = Client(REMOTE_ADDR="198.51.100.9")
    assert client.post(_link(quote), {"name": ""}).status_code == 400
    assert client.post(_link(quote), {"name": "Jo", "accept": "on"}).status_code == 429
    assert _snapshot(quote)[0] == Quote.Status.SENT
