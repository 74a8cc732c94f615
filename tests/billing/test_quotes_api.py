"""Quotes through the API (/api/v1/quotes): made, rendered by a real Celery worker, read
with every step of the price, sent, converted, cancelled, downloaded (SPEC §3.10)."""

from __future__ import annotations

import datetime

import pytest
from django.core import mail
from django.utils import timezone

from billing.models import Order, Quote
from portal.models import OutboxTask
from tests.billing.quote_support import FR_VAT, pdf_text, private_media, quote_body  # noqa: F401
from tests.celery_support import wait_for
from tests.factories import MembershipFactory
from tests.tenancy_support import observer

pytestmark = pytest.mark.usefixtures("private_media")
QUOTES = "/api/v1/quotes"


def _create(tenant, **fields):
    return tenant.api().post(QUOTES, quote_body(**fields), format="json")


@pytest.mark.celery_worker
def test_a_real_worker_renders_the_pdfs_from_ids_only(celery_worker, partner):
    reseller = partner("reseller", tier=1, country="FR", vat_number=FR_VAT)
    api = reseller.api()
    response = api.post(QUOTES, quote_body(), format="json")
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["pdf_status"] == "pending"
    with observer():
        [task] = OutboxTask.objects.filter(task_name="billing.render_quote_pdf")
    assert task.kwargs == {
        "organisation_id": str(reseller.organisation.pk),
        "quote_id": body["id"],
    }
    wait_for(lambda: api.get(f"{QUOTES}/{body['id']}").json()["pdf_status"] == "ready")

    response = api.get(f"{QUOTES}/{body['id']}/pdf")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert "attachment" in response["Content-Disposition"]
    assert b"".join(response.streaming_content)[:5] == b"%PDF-"
    with observer():
        quote = Quote.objects.get(pk=body["id"])
        assert "not for your customer" in pdf_text(quote.pdf)


def test_create_read_list_and_every_step_of_the_price(partner):
    reseller = partner("reseller", tier=1, country="FR", vat_number=FR_VAT)
    response = _create(reseller, customer_nonprofit=True, notes="Budget approved in May")
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["reference"].startswith("QT-")
    assert body["valid_until"] == (timezone.localdate() + datetime.timedelta(days=30)).isoformat()
    assert body["signature"] == {
        "status": "not_sent",
        "sent_at": None,
        "signed_name": "",
        "signed_at": None,
    }
    assert body["order"] is None
    [line] = body["lines"]
    # The preview's steps: charity before the partner discount.
    assert line["list_amount"] == "3000.00"
    assert line["charity_discount"] == "300.00"
    assert line["gross_amount"] == "2700.00"
    assert line["partner_discount"] == "270.00"
    assert line["net_amount"] == "2430.00"
    assert line["tax_rate"] == "20.00"
    preview = reseller.api().post(
        "/api/v1/pricing/preview",
        {"lines": body_lines(), "customer_country": "DE", "customer_nonprofit": True},
        format="json",
    )
    assert preview.json()["total"] == body["total"]

    _create(reseller, customer_name="Globex School")
    listing = reseller.api().get(QUOTES, {"search": "globex"}).json()
    assert [q["customer_name"] for q in listing["results"]] == ["Globex School"]
    assert reseller.api().get(QUOTES, {"status": "open"}).json()["count"] == 2
    assert reseller.api().get(QUOTES, {"status": "nonsense"}).status_code == 400


def body_lines():
    return quote_body()["lines"]


def test_bad_input_is_a_clear_400_and_writes_nothing(partner):
    reseller = partner("reseller")
    cases = {
        "customer_email": _create(reseller, customer_email="not-an-email"),
        "product": _create(reseller, lines=[{"product": "nope", "quantity": 1}]),
        "valid_until": _create(
            reseller, valid_until=(timezone.localdate() + datetime.timedelta(days=90)).isoformat()
        ),
        "customer_country": _create(reseller, customer_country="XX"),
    }
    for field, response in cases.items():
        assert response.status_code == 400, (field, response.content)
        assert field in response.content.decode(), field
    with observer():
        assert Quote.objects.count() == 0


def test_a_finance_member_reads_but_does_not_quote(partner):
    reseller = partner("reseller")
    quote_id = _create(reseller).json()["id"]
    finance = MembershipFactory(organisation=reseller.organisation, role="finance")
    reseller.admin = finance.user
    api = reseller.api()
    assert api.get(f"{QUOTES}/{quote_id}").status_code == 200
    assert api.post(QUOTES, quote_body(), format="json").status_code == 403
    for action in ("send", "convert", "cancel"):
        assert api.post(f"{QUOTES}/{quote_id}/{action}").status_code == 403


def test_pdf_downloads_wait_for_the_render(partner):
    reseller = partner("reseller")
    quote_id = _create(reseller).json()["id"]
    for kind in ("pdf", "customer-pdf"):
        response = reseller.api().get(f"{QUOTES}/{quote_id}/{kind}")
        assert response.status_code == 409
        assert response.json()["code"] == "pdf_not_ready"


def test_send_emails_the_customer_a_link_and_convert_makes_one_order(
    partner, django_capture_on_commit_callbacks
):
    reseller = partner("reseller", tier=1, country="FR", vat_number=FR_VAT)
    api = reseller.api()
    quote_id = _create(reseller).json()["id"]
    with django_capture_on_commit_callbacks(execute=True):
        response = api.post(f"{QUOTES}/{quote_id}/send")
    assert response.status_code == 200, response.content
    assert response.json()["signature"]["status"] == "awaiting"
    [email] = [m for m in mail.outbox if "for your signature" in m.subject]
    assert email.to == ["it@acme-hospital.example"]
    assert "/quote/" in email.body
    assert reseller.organisation.name in email.body

    response = api.post(f"{QUOTES}/{quote_id}/convert", HTTP_IDEMPOTENCY_KEY="conv-1")
    assert response.status_code == 201, response.content
    order = response.json()
    assert order["quote"] == quote_id
    assert order["net_amount"] == "2700.00"
    assert order["lines"][0]["licence"]
    again = api.post(f"{QUOTES}/{quote_id}/convert", HTTP_IDEMPOTENCY_KEY="conv-1")
    assert (again.status_code, again.json()["id"]) == (200, order["id"])
    refused = api.post(f"{QUOTES}/{quote_id}/convert")
    assert refused.status_code == 409
    assert api.get(f"{QUOTES}/{quote_id}").json()["order"] == order["id"]
    assert api.post(f"{QUOTES}/{quote_id}/cancel").status_code == 409
    with observer():
        assert Order.objects.filter(quote_id=quote_id).count() == 1


@pytest.mark.parametrize("key", ["k" * 201, "nul\x00byte"])
def test_converting_with_an_overlong_or_unprintable_key_is_a_400(partner, key):
    # The same Idempotency-Key rule as placing an order (a NUL byte would reach PostgreSQL).
    reseller = partner("reseller")
    quote_id = _create(reseller).json()["id"]
    response = reseller.api().post(f"{QUOTES}/{quote_id}/convert", HTTP_IDEMPOTENCY_KEY=key)
    assert response.status_code == 400
    assert response.json()["fields"]["idempotency_key"]
    with observer():
        assert Order.objects.count() == 0


def test_an_expired_quote_is_refused_with_a_clear_code(partner):
    reseller = partner("reseller")
    quote_id = _create(reseller).json()["id"]
    with observer():
        Quote.objects.filter(pk=quote_id).update(
            valid_until=timezone.localdate() - datetime.timedelta(days=1)
        )
    response = reseller.api().post(f"{QUOTES}/{quote_id}/convert")
    assert response.status_code == 409
    assert response.json()["code"] == "quote_expired"
    assert reseller.api().get(f"{QUOTES}/{quote_id}").json()["expired"] is True


def test_the_distributor_reads_and_downloads_but_never_changes(partner):
    distributor = partner("distributor", country="DE")
    reseller = partner("reseller", distributor=distributor.organisation)
    quote_id = _create(reseller).json()["id"]
    api = distributor.api()
    assert api.get(f"{QUOTES}/{quote_id}").status_code == 200
    assert [q["id"] for q in api.get(QUOTES).json()["results"]] == [quote_id]
    for action in ("send", "convert", "cancel"):
        assert api.post(f"{QUOTES}/{quote_id}/{action}").status_code == 404
