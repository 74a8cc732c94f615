"""Paying an invoice from the reseller space, the API and the admin (issue 11): the invoice's
payment section (bank details, reference, proofs, the upload form), the upload and the
download as an attachment; the API's proofs; the channel team's review queue (ages in
business days), "Mark invoice paid" and "Reject proof" with their forms."""

from __future__ import annotations

import datetime
import re
from pathlib import Path

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from billing.models import InvoicePayment, Order, PaymentProof
from portal.admin_site import review_queue_rows
from tests.billing.factories import place_order
from tests.billing.payment_support import (
    EXE,
    PDF,
    image_bytes,
    invoice_of,
    ordered_invoice,
    proof_for,
    reviewer,
    upload,
)
from tests.billing.test_pricing_rules import FR_VAT
from tests.factories import staff_user
from tests.partners.factories_team import member_of
from tests.tenancy_support import observer

PROOFS = "/admin/billing/paymentproof/"
HOME = "/admin/"


@pytest.fixture(autouse=True)
def private_root(settings, tmp_path):
    settings.PRIVATE_MEDIA_ROOT = tmp_path / "private"
    return Path(settings.PRIVATE_MEDIA_ROOT)


@pytest.fixture
def buyer(partner):
    return partner("reseller", tier=1, country="FR", vat_number=FR_VAT)


def browser(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def proofs() -> list[PaymentProof]:
    with observer():
        return list(PaymentProof.objects.order_by("uploaded_at"))


# --- the reseller space ------------------------------------------------------------------


def test_the_invoice_shows_how_to_pay_and_takes_a_proof(buyer, private_root):
    invoice = ordered_invoice(buyer)
    finance = member_of(buyer, role="finance")
    client = browser(finance.user)

    page = client.get(f"/space/invoices/{invoice.pk}/")
    assert page.status_code == 200
    html = page.content.decode()
    assert 'id="bank-details"' in html
    assert invoice.payment_reference in html
    assert "Awaiting payment" in html
    assert f'action="/space/invoices/{invoice.pk}/payment-proof/"' in html
    assert 'enctype="multipart/form-data"' in html

    # When finance sends a screenshot named like a PDF
    response = client.post(
        f"/space/invoices/{invoice.pk}/payment-proof/",
        {"file": upload(image_bytes("PNG"), "virement.pdf"), "note": "Paid on Monday"},
    )

    # Then it is back on the invoice's page, with the proof awaiting review
    assert response.status_code == 302
    assert response["Location"] == f"/space/invoices/{invoice.pk}/"
    [proof] = proofs()
    assert (proof.content_type, proof.note, proof.uploaded_by) == (
        "image/png",
        "Paid on Monday",
        finance.user,
    )
    html = client.get(response["Location"]).content.decode()
    assert "is with the channel team" in html
    assert "virement.pdf" in html
    assert "Awaiting review" in html
    assert f"/space/payment-proofs/{proof.pk}/" in html


def test_a_refused_file_shows_the_form_again_with_the_reason(buyer, private_root):
    invoice = ordered_invoice(buyer)
    client = buyer.browser()
    response = client.post(
        f"/space/invoices/{invoice.pk}/payment-proof/", {"file": upload(EXE, "proof.pdf")}
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert "none of them" in html
    assert 'id="payment-proof-form"' in html
    missing = client.post(f"/space/invoices/{invoice.pk}/payment-proof/", {"note": "x"})
    assert missing.status_code == 400
    assert "Choose the proof" in missing.content.decode()
    assert proofs() == []
    assert not private_root.exists() or not any(private_root.rglob("*.*"))


def test_a_proof_downloads_as_an_attachment_of_its_real_type(buyer):
    invoice = ordered_invoice(buyer)
    png = image_bytes("PNG")
    proof = proof_for(buyer, invoice, png, "virement.pdf")

    response = buyer.browser().get(f"/space/payment-proofs/{proof.pk}/")
    assert response.status_code == 200
    assert response["Content-Type"] == "image/png"
    assert response["Content-Disposition"] == 'attachment; filename="virement.png"'
    assert response["X-Content-Type-Options"] == "nosniff"
    assert b"".join(response.streaming_content) == png


def test_only_administrators_and_finance_people_and_only_their_own(buyer, partner):
    invoice = ordered_invoice(buyer)
    proof = proof_for(buyer, invoice)
    sales = browser(member_of(buyer, role="sales").user)
    for url in (
        f"/space/invoices/{invoice.pk}/",
        f"/space/invoices/{invoice.pk}/payment-proof/",
        f"/space/payment-proofs/{proof.pk}/",
    ):
        assert sales.get(url).status_code == 403
    assert sales.post(f"/space/invoices/{invoice.pk}/payment-proof/").status_code == 403
    other = partner("reseller", tier=1, country="DE").browser()
    for url in (
        f"/space/invoices/{invoice.pk}/",
        f"/space/payment-proofs/{proof.pk}/",
    ):
        assert other.get(url).status_code == 404
    response = other.post(f"/space/invoices/{invoice.pk}/payment-proof/", {"file": upload(PDF)})
    assert response.status_code == 404
    assert len(proofs()) == 1


def test_a_paid_invoice_says_so_and_takes_no_more_proof(buyer):
    invoice = ordered_invoice(buyer)
    from tests.billing.payment_support import mark_paid

    mark_paid(invoice)
    html = buyer.browser().get(f"/space/invoices/{invoice.pk}/").content.decode()
    assert "Paid on" in html
    assert 'id="payment-proof-form"' not in html
    response = buyer.browser().post(
        f"/space/invoices/{invoice.pk}/payment-proof/", {"file": upload(PDF)}
    )
    assert response.status_code == 400
    assert "already paid" in response.content.decode()


def test_the_payment_section_costs_the_same_queries_with_more_proofs(buyer):
    invoice = ordered_invoice(buyer)
    proof_for(buyer, invoice)
    client = buyer.browser()
    url = f"/space/invoices/{invoice.pk}/"
    client.get(url)
    with CaptureQueriesContext(connection) as one:
        client.get(url)
    for n in range(4):
        proof_for(buyer, invoice, name=f"proof-{n}.pdf")
    with CaptureQueriesContext(connection) as five:
        html = client.get(url).content.decode()
    assert html.count("proof-") >= 4
    assert len(five) == len(one)


# --- the API -------------------------------------------------------------------------------


def test_the_api_uploads_and_lists_proofs(buyer):
    invoice = ordered_invoice(buyer)
    api = buyer.api()
    url = f"/api/v1/invoices/{invoice.pk}/payment-proofs"

    created = api.post(url, {"file": upload(image_bytes("JPEG"), "scan.pdf")}, format="multipart")
    assert created.status_code == 201, created.content
    body = created.json()
    assert body["content_type"] == "image/jpeg"
    assert body["status"] == "submitted"
    assert body["invoice"] == str(invoice.pk)
    assert len(body["sha256"]) == 64

    refused = api.post(url, {"file": upload(EXE, "proof.pdf")}, format="multipart")
    assert refused.status_code == 400
    assert "none of them" in refused.json()["fields"]["file"][0]
    assert api.post(url, {}, format="json").status_code == 400

    listed = api.get(url)
    assert listed.status_code == 200
    assert [p["id"] for p in listed.json()] == [body["id"]]
    # Another organisation's invoice is not found
    proof_for(buyer, invoice)
    with CaptureQueriesContext(connection) as two:
        assert len(api.get(url).json()) == 2
    proof_for(buyer, invoice)
    with CaptureQueriesContext(connection) as three:
        assert len(api.get(url).json()) == 3
    assert len(three) == len(two)


def test_the_api_refuses_other_roles_and_other_organisations(buyer, partner):
    invoice = ordered_invoice(buyer)
    url = f"/api/v1/invoices/{invoice.pk}/payment-proofs"
    other = partner("reseller", tier=1, country="DE").api()
    assert other.get(url).status_code == 404
    assert other.post(url, {"file": upload(PDF)}, format="multipart").status_code == 404
    sales = member_of(buyer, role="sales")
    from rest_framework.test import APIClient

    client = APIClient()
    client.force_authenticate(sales.user)
    response = client.get(url)
    assert response.status_code in {401, 403}
    assert proofs() == []


# --- the channel team -----------------------------------------------------------------------


def test_the_review_queue_lists_proofs_oldest_first_with_their_age(buyer, partner):
    other = partner("reseller", tier=1, country="DE")
    old = proof_for(buyer, ordered_invoice(buyer), name="old.pdf")
    proof_for(other, ordered_invoice(other), name="new.pdf")
    with observer():
        # The first waited a week: past one business day whatever today is
        PaymentProof.objects.filter(pk=old.pk).update(
            uploaded_at=timezone.now() - datetime.timedelta(days=7)
        )
    staff = reviewer()
    client = browser(staff)

    listing = client.get(PROOFS)
    assert listing.status_code == 200
    html = listing.content.decode()
    assert html.index("old.pdf") < html.index("new.pdf")
    assert "of 1 business day" in html
    assert "late" in html
    late = client.get(PROOFS, {"status": "submitted", "late": "yes"})
    assert [p.pk for p in late.context["cl"].result_list] == [old.pk]
    [row] = [r for r in review_queue_rows(staff) if r.label == "Payment proofs"]
    assert (row.waiting, row.late) == (2, 1)
    home = client.get(HOME).content.decode()
    assert "Payment proofs" in home[home.index('id="review-queues"') :]
    # The proof downloads for the channel team
    download = client.get(f"{PROOFS}{old.pk}/download/")
    assert download["Content-Disposition"] == 'attachment; filename="old.pdf"'


def test_the_queue_costs_the_same_queries_with_more_proofs(buyer):
    for n in range(2):
        proof_for(buyer, ordered_invoice(buyer), name=f"p{n}.pdf")
    client = browser(reviewer())
    client.get(PROOFS)
    with CaptureQueriesContext(connection) as few:
        client.get(PROOFS)
    for n in range(6):
        proof_for(buyer, ordered_invoice(buyer), name=f"q{n}.pdf")
    with CaptureQueriesContext(connection) as many:
        client.get(PROOFS)
    assert len(many) == len(few)


def test_mark_invoice_paid_from_the_proofs_page(buyer):
    order = place_order(buyer.organisation, space="personal")
    invoice = invoice_of(order)
    proof = proof_for(buyer, invoice)
    client = browser(reviewer())

    page = client.get(f"{PROOFS}{proof.pk}/change/").content.decode()
    assert f"{PROOFS}{proof.pk}/mark-paid/" in page
    assert f"{PROOFS}{proof.pk}/reject/" in page
    form = client.get(f"{PROOFS}{proof.pk}/mark-paid/")
    assert form.status_code == 200
    assert 'name="paid_on"' in form.content.decode()
    future = (timezone.localdate() + datetime.timedelta(days=3)).isoformat()
    refused = client.post(f"{PROOFS}{proof.pk}/mark-paid/", {"paid_on": future, "confirm": "1"})
    assert refused.status_code == 200
    assert "future" in refused.content.decode()

    done = client.post(
        f"{PROOFS}{proof.pk}/mark-paid/",
        {"paid_on": timezone.localdate().isoformat(), "confirm": "1"},
    )
    assert done.status_code == 302
    assert done["Location"] == f"{PROOFS}{proof.pk}/change/"
    with observer():
        assert InvoicePayment.objects.get(invoice=invoice).proof_id == proof.pk
        assert Order.objects.get(pk=order.pk).status == Order.Status.PAID
    page = client.get(done["Location"]).content.decode()
    assert f"Invoice {invoice.reference} is paid" in page
    assert "Accepted" in page
    assert f"{PROOFS}{proof.pk}/mark-paid/" not in page


def test_reject_proofs_from_the_list_with_a_reason(buyer):
    first = proof_for(buyer, ordered_invoice(buyer), name="a.pdf")
    second = proof_for(buyer, ordered_invoice(buyer), name="b.pdf")
    client = browser(reviewer())
    selected = {"action": "reject", "_selected_action": [first.pk, second.pk]}

    asked = client.post(PROOFS, selected)
    assert asked.status_code == 200
    html = asked.content.decode()
    assert 'name="reason"' in html
    assert "a.pdf" in html
    assert "b.pdf" in html
    without = client.post(PROOFS, {**selected, "confirm": "1", "reason": ""})
    assert without.status_code == 200
    assert {p.status for p in proofs()} == {"submitted"}

    done = client.post(PROOFS, {**selected, "confirm": "1", "reason": "Amount differs."})
    assert done.status_code == 302
    assert {(p.status, p.rejection_reason) for p in proofs()} == {("rejected", "Amount differs.")}


def test_staff_without_the_permission_read_but_do_not_decide(buyer):
    proof = proof_for(buyer, ordered_invoice(buyer))
    reader = browser(staff_user("billing.view_paymentproof"))
    listing = reader.get(PROOFS)
    assert listing.status_code == 200
    assert not re.search(r'<option value="(mark_paid|reject)"', listing.content.decode())
    page = reader.get(f"{PROOFS}{proof.pk}/change/").content.decode()
    assert "/mark-paid/" not in page
    assert "needs the permission to review payments" in page
    for path in ("mark-paid", "reject"):
        response = reader.post(
            f"{PROOFS}{proof.pk}/{path}/",
            {"paid_on": timezone.localdate().isoformat(), "reason": "x", "confirm": "1"},
        )
        assert response.status_code == 403
    listed = reader.post(
        PROOFS, {"action": "reject", "_selected_action": [proof.pk], "confirm": "1", "reason": "x"}
    )
    assert listed.status_code in {200, 302, 403}
    assert [p.status for p in proofs()] == ["submitted"]
    with observer():
        assert not InvoicePayment.objects.exists()
    # Nobody without the view permission downloads it
    stranger = browser(staff_user())
    assert stranger.get(f"{PROOFS}{proof.pk}/download/").status_code == 403
