"""The invoices' API and pages: administrators and finance members read their own, with
the PDF's status while it renders, how to pay and the payment state; the order shows them."""

from __future__ import annotations

import datetime

from django.utils import timezone

from billing.models import Invoice, InvoicePayment
from billing.services.invoice_pdfs import invoice_render_document
from partners.models import Membership
from portal.tenancy.context import tenant_context
from tests.billing.factories import place_order
from tests.partners.factories_team import member_of
from tests.tenancy_support import observer

DE_VAT = "DE136695976"


def _invoiced(partner, **order):
    buyer = partner("reseller", country="DE", vat_number=DE_VAT)
    placed = place_order(buyer.organisation, **order)
    with observer():
        invoice = Invoice.objects.get(order=placed)
    return buyer, placed, invoice


def _render(tenant, invoice):
    with tenant_context(tenant.organisation.pk):
        invoice_render_document(invoice_id=invoice.pk)


def test_the_api_lists_and_reads_invoices_with_how_to_pay(partner):
    buyer, order, invoice = _invoiced(partner)
    api = buyer.api()
    listed = api.get("/api/v1/invoices").json()
    assert [row["reference"] for row in listed["results"]] == [invoice.reference]
    row = listed["results"][0]
    assert row["payment_state"] == "unpaid"
    assert row["pdf_status"] == "pending"
    assert row["order"] == order.reference
    assert row["tax_kind"] == "reverse_charge"
    body = api.get(f"/api/v1/invoices/{invoice.pk}").json()
    assert body["lines"][0]["net_amount"] == "2700.00"
    assert body["wire_transfer"]["reference"] == invoice.reference
    assert body["wire_transfer"]["iban"]  # the vendor's bank details (seeded Vates)


def test_the_pdf_answers_409_while_it_renders_then_the_file(partner):
    buyer, _, invoice = _invoiced(partner)
    api = buyer.api()
    pending = api.get(f"/api/v1/invoices/{invoice.pk}/pdf")
    assert pending.status_code == 409
    assert pending.json()["code"] == "pdf_not_ready"
    _render(buyer, invoice)
    ready = api.get(f"/api/v1/invoices/{invoice.pk}/pdf")
    assert ready.status_code == 200
    assert ready["Content-Type"] == "application/pdf"
    assert "attachment" in ready["Content-Disposition"]
    assert b"".join(ready.streaming_content).startswith(b"%PDF-")


def test_payment_state_filters_paid_unpaid_and_overdue(partner):
    buyer, _, invoice = _invoiced(partner)
    second_order = place_order(buyer.organisation)
    with observer():
        second = Invoice.objects.get(order=second_order)
        InvoicePayment.objects.create(
            organisation=buyer.organisation,
            invoice=second,
            amount=second.total,
            paid_on=timezone.localdate(),
        )
    api = buyer.api()

    def refs(query):
        return [row["reference"] for row in api.get(f"/api/v1/invoices?{query}").json()["results"]]

    assert refs("payment=paid") == [second.reference]
    assert refs("payment=unpaid") == [invoice.reference]
    assert refs("payment=overdue") == []
    bad = api.get("/api/v1/invoices?payment=maybe")
    assert bad.status_code == 400
    assert "payment" in bad.json()["fields"]


def test_an_unpaid_invoice_past_its_due_date_is_overdue(partner, monkeypatch):
    buyer, _, invoice = _invoiced(partner)
    later = invoice.due_on + datetime.timedelta(days=1)
    monkeypatch.setattr("billing.selectors.invoices.timezone.localdate", lambda: later)
    body = buyer.api().get("/api/v1/invoices?payment=overdue").json()
    assert [row["reference"] for row in body["results"]] == [invoice.reference]
    assert body["results"][0]["payment_state"] == "overdue"


def test_only_administrators_and_finance_read_invoices(partner):
    buyer, _, invoice = _invoiced(partner)
    sales = member_of(buyer, role=Membership.Role.SALES).user
    finance = member_of(buyer, role=Membership.Role.FINANCE).user
    from django.test import Client

    as_sales, as_finance = Client(), Client()
    as_sales.force_login(sales)
    as_finance.force_login(finance)
    assert as_sales.get("/space/invoices/").status_code == 403
    assert as_finance.get("/space/invoices/").status_code == 200
    assert as_finance.get(f"/space/invoices/{invoice.pk}/").status_code == 200


def test_the_pages_show_the_invoice_its_status_and_the_wire_details(partner):
    buyer, order, invoice = _invoiced(partner)
    web = buyer.browser()
    listing = web.get("/space/invoices/").content.decode()
    assert invoice.reference in listing
    assert "Being generated" in listing
    detail = web.get(f"/space/invoices/{invoice.pk}/").content.decode()
    assert 'http-equiv="refresh"' in detail  # reloads itself while the PDF renders
    assert "Article 196" in detail
    assert invoice.lines.get().description in detail
    assert invoice.payment_reference in detail
    assert web.get(f"/space/invoices/{invoice.pk}/pdf/").status_code == 404  # not yet
    _render(buyer, invoice)
    detail = web.get(f"/space/invoices/{invoice.pk}/").content.decode()
    assert 'http-equiv="refresh"' not in detail
    assert f"/space/invoices/{invoice.pk}/pdf/" in detail
    assert web.get(f"/space/invoices/{invoice.pk}/pdf/").status_code == 200
    order_page = web.get(f"/space/orders/{order.pk}/").content.decode()
    assert invoice.reference in order_page
    assert "Pay by wire transfer" in order_page
    documents = web.get("/space/documents/").content.decode()
    assert invoice.reference in documents


def test_a_reseller_buying_through_a_distributor_is_told_who_invoices_it(partner):
    distributor = partner("distributor", tier=2, country="DE", vat_number=DE_VAT)
    reseller = partner("reseller", country="FR", distributor=distributor.organisation)
    order = place_order(reseller.organisation)
    page = reseller.browser().get(f"/space/orders/{order.pk}/").content.decode()
    assert f"{distributor.organisation.name}, your distributor, invoices you" in page
    assert reseller.api().get("/api/v1/invoices").json()["results"] == []
    supplied = distributor.browser().get(f"/space/orders/{order.pk}/").content.decode()
    with observer():
        invoice = Invoice.objects.get(order=order)
    assert invoice.reference in supplied


def test_the_partner_hears_once_that_its_quote_is_ready(
    partner, django_capture_on_commit_callbacks, mailoutbox
):
    from billing.services.quote_pdfs import quote_render_documents
    from tests.billing.quote_support import quote_of

    seller = partner("reseller", country="FR")
    quote = quote_of(seller.organisation, customer_name="Clinique du Parc")
    for _ in range(2):  # a second render (a retry) finds the PDFs ready: no second email
        with (
            tenant_context(seller.organisation.pk),
            django_capture_on_commit_callbacks(execute=True),
        ):
            quote_render_documents(quote_id=quote.pk)
    ready = [m for m in mailoutbox if "is ready" in m.subject]
    assert len(ready) == 1
    assert ready[0].to == [seller.admin.email]
    assert quote.reference in ready[0].subject
    assert f"/space/quotes/{quote.pk}/" in ready[0].body
