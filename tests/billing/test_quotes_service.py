"""Quotes through the service: priced by the engine, valid until a date, two PDFs rendered
once, converted into one order at the quoted prices (SPEC §3.10, the Xen Orchestra and
Mattermost seeds)."""

from __future__ import annotations

import datetime
import threading
from decimal import Decimal
from pathlib import Path

import pytest
from django.db import connection
from django.utils import timezone

from billing.models import Order, Quote
from billing.services.quote_pdfs import quote_render_documents
from billing.services.quotes import quote_cancel, quote_convert
from licensing.services.catalogue import catalogue_load
from partners.models import DiscountRule
from partners.services.programme import programme_load
from portal.errors import Conflict, DomainError, Forbidden
from portal.models import AuditEvent
from portal.tenancy.context import system_context, tenant_context
from tests.billing.conftest import make_partner
from tests.billing.quote_support import FR_VAT, make_quote, pdf_text, private_media  # noqa: F401
from tests.tenancy_support import observer

pytestmark = pytest.mark.usefixtures("private_media")


def _convert(tenant, quote, **kwargs):
    with tenant_context(tenant.organisation.pk):
        return quote_convert(quote=quote, actor=tenant.admin, role="admin", **kwargs)


def test_a_quote_is_priced_by_the_engine_for_thirty_days(partner):
    reseller = partner("reseller", tier=1, country="FR", vat_number=FR_VAT)
    quote = make_quote(reseller)
    assert quote.reference.startswith(f"QT-{timezone.localdate().year}-")
    assert quote.valid_until == timezone.localdate() + datetime.timedelta(days=30)
    assert (quote.list_amount, quote.partner_discount, quote.net_amount) == (
        Decimal("3000.00"),
        Decimal("300.00"),
        Decimal("2700.00"),
    )
    [line] = quote.lines.all()
    assert (line.product_code, line.quantity, line.partner_discount_percent) == (
        "pro",
        3,
        Decimal("10.00"),
    )
    with observer():
        assert AuditEvent.objects.filter(action="quote.created", object_id=str(quote.pk)).exists()


def test_the_partner_may_shorten_the_validity_never_lengthen_it(partner):
    reseller = partner("reseller")
    today = timezone.localdate()
    assert make_quote(reseller, valid_until=today + datetime.timedelta(days=5)).valid_until == (
        today + datetime.timedelta(days=5)
    )
    for day, code in ((31, "valid_until_too_late"), (-1, "valid_until_past")):
        with pytest.raises(DomainError) as refused:
            make_quote(reseller, valid_until=today + datetime.timedelta(days=day))
        assert refused.value.code == code
    with pytest.raises(DomainError) as refused:
        make_quote(reseller, customer_name="")
    assert refused.value.field == "customer_name"
    with pytest.raises(Forbidden):
        make_quote(reseller, role="finance")
    with observer():
        assert Quote.objects.count() == 1  # nothing half-written


def test_the_two_pdfs_are_rendered_once_and_only_the_partners_shows_its_discount(partner, settings):
    reseller = partner("reseller", tier=1, country="FR", vat_number=FR_VAT)
    quote = make_quote(reseller)
    assert quote.pdf_status == Quote.PdfStatus.PENDING
    with tenant_context(reseller.organisation.pk):
        quote_render_documents(quote_id=quote.pk)
        quote.refresh_from_db()
    assert quote.pdf_status == Quote.PdfStatus.READY
    assert len(quote.pdf_sha256) == len(quote.customer_pdf_sha256) == 64

    partners_copy = pdf_text(quote.pdf)
    assert "Includes your reseller discount: not for your customer" in partners_copy
    assert "300.00" in partners_copy
    assert "2,700.00" in partners_copy  # the partner's net
    customers_copy = pdf_text(quote.customer_pdf)
    assert "Acme Hospital" in customers_copy
    assert "3,000.00" in customers_copy
    assert reseller.organisation.name in customers_copy  # the seller
    assert "Vates SAS" in customers_copy  # the vendor, from current_vendor
    # The vendor's legal line, as on every PDF: its registry and its company number.
    assert "RCS Grenoble 123 456 782" in customers_copy
    for secret in ("2,700.00", "2700.00", "300.00", "not for your customer", "eseller discount"):
        assert secret not in customers_copy

    files = sorted(p.name for p in Path(settings.PRIVATE_MEDIA_ROOT).rglob("*.pdf"))
    with tenant_context(reseller.organisation.pk):
        quote_render_documents(quote_id=quote.pk)  # a redelivered task
        quote.refresh_from_db()
    assert sorted(p.name for p in Path(settings.PRIVATE_MEDIA_ROOT).rglob("*.pdf")) == files
    assert len(files) == 2


def test_conversion_keeps_the_quoted_prices_after_the_discount_changed(partner):
    reseller = partner("reseller", tier=1, country="FR", vat_number=FR_VAT)
    quote = make_quote(reseller)
    with observer():
        rule = DiscountRule.objects.get(
            programme=reseller.organisation.partner_type.programme,
            partner_type=reseller.organisation.partner_type,
            tier_level=1,
            engagement_model="",
        )
        rule.percent = Decimal("25.00")
        rule.save()
    placed = _convert(reseller, quote)
    order = placed.order
    assert placed.created
    assert order.quote_id == quote.pk
    assert (order.partner_discount, order.net_amount, order.total) == (
        quote.partner_discount,
        quote.net_amount,
        quote.total,
    )
    [line] = order.lines.all()
    assert (line.partner_discount_percent, line.net_amount) == (
        Decimal("10.00"),
        Decimal("2700.00"),
    )
    assert line.licence is not None
    quote.refresh_from_db()
    assert quote.status == Quote.Status.ORDERED
    with pytest.raises(Conflict) as again:
        _convert(reseller, quote)
    assert again.value.code == "quote_ordered"


def test_the_same_idempotency_key_answers_with_the_first_order(partner):
    reseller = partner("reseller")
    quote = make_quote(reseller)
    first = _convert(reseller, quote, idempotency_key="k-1")
    second = _convert(reseller, quote, idempotency_key="k-1")
    assert (second.order.pk, second.created) == (first.order.pk, False)


def test_an_expired_or_cancelled_quote_is_not_ordered(partner):
    reseller = partner("reseller")
    expired = make_quote(reseller)
    with observer():
        Quote.objects.filter(pk=expired.pk).update(
            valid_until=timezone.localdate() - datetime.timedelta(days=1)
        )
    with pytest.raises(Conflict) as refused:
        _convert(reseller, expired)
    assert refused.value.code == "quote_expired"

    cancelled = make_quote(reseller)
    with tenant_context(reseller.organisation.pk):
        quote_cancel(quote=cancelled, actor=reseller.admin, role="sales")
    with pytest.raises(Conflict) as refused:
        _convert(reseller, cancelled)
    assert refused.value.code == "quote_cancelled"
    with observer():
        assert Order.objects.count() == 0


@pytest.fixture
def mattermost(db):
    with system_context("command:seed_demo"):
        programme = programme_load(code="mattermost")
        catalogue_load(code="mattermost")
    return programme


def test_a_mattermost_var_needs_the_customers_signature_first(mattermost, vates):
    var = make_partner(mattermost, type_code="value_added_reseller", country="US")
    quote = make_quote(var, lines=[{"product": "mattermost-enterprise", "quantity": 100}])
    with pytest.raises(Conflict) as refused:
        _convert(var, quote)
    assert refused.value.code == "signature_required"
    with observer():
        Quote.objects.filter(pk=quote.pk).update(
            status=Quote.Status.SIGNED, signed_name="Jo Buyer", signed_at=timezone.now()
        )
    quote.refresh_from_db()
    assert _convert(var, quote).created

    authorized = make_partner(mattermost, type_code="authorized_reseller", country="US")
    other = make_quote(authorized, lines=[{"product": "mattermost-enterprise", "quantity": 100}])
    assert _convert(authorized, other).created  # no signature asked of this type


@pytest.mark.django_db(transaction=True)
def test_two_conversions_at_the_same_moment_make_one_order(partner):
    reseller = partner("reseller")
    quote = make_quote(reseller)
    barrier = threading.Barrier(2)
    results: list[object] = []

    def convert():
        try:
            barrier.wait()
            results.append(_convert(reseller, quote).order.pk)
        except Conflict as exc:
            results.append(exc.code)
        finally:
            connection.close()

    threads = [threading.Thread(target=convert) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(map(str, results))[-1] == "quote_ordered"
    with observer():
        assert Order.objects.filter(quote=quote).count() == 1
