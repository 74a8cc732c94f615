"""Payments by wire transfer (issue 11, SPEC §3.10): the partner's proof, checked by its
content and stored under a random name; the channel team marking invoices paid (once, even
when two people click at once) or rejecting a proof with a reason; orders paid when their
invoices are; credit notes never paid; the emails."""

from __future__ import annotations

import datetime
import hashlib
import threading
from pathlib import Path

import pytest
from django.core import mail
from django.db import connection
from django.http import Http404
from django.utils import timezone

from billing.models import Invoice, InvoicePayment, Order, PaymentProof
from billing.selectors.payments import payment_proof_filename
from billing.services.payments import (
    invoice_mark_paid,
    payment_proof_reject,
    payment_proof_upload,
)
from portal.errors import Conflict, DomainError, Forbidden
from portal.models import AuditEvent
from portal.tenancy.context import system_context, tenant_context
from tests.billing.factories import place_order
from tests.billing.payment_support import (
    EXE,
    PDF,
    image_bytes,
    invoice_of,
    issued_invoice,
    mark_paid,
    ordered_invoice,
    png_claiming,
    proof_for,
    reviewer,
    upload,
)
from tests.billing.test_pricing_rules import FR_VAT
from tests.factories import UserFactory, staff_user
from tests.partners.factories_team import member_of
from tests.tenancy_support import observer


@pytest.fixture
def private_root(settings, tmp_path):
    settings.PRIVATE_MEDIA_ROOT = tmp_path / "private"
    return Path(settings.PRIVATE_MEDIA_ROOT)


@pytest.fixture
def buyer(partner):
    return partner("reseller", tier=1, country="FR", vat_number=FR_VAT)


def stored_files(root: Path) -> list[Path]:
    return sorted(p for p in root.rglob("*") if p.is_file()) if root.exists() else []


def _upload(
    tenant,
    invoice,
    content,
    name="transfer.pdf",
    content_type="application/pdf",
    role="admin",
    note="",
):
    with tenant_context(tenant.organisation.pk):
        return payment_proof_upload(
            organisation=tenant.organisation,
            actor=tenant.admin,
            role=role,
            invoice_id=invoice.pk,
            file=upload(content, name, content_type),
            note=note,
        )


def _refused(tenant, invoice, content, name, **kwargs) -> DomainError:
    with pytest.raises(DomainError) as refused:
        _upload(tenant, invoice, content, name, **kwargs)
    return refused.value


# --- the file, by its content ------------------------------------------------------------


def test_a_pdf_proof_is_stored_under_a_random_name_with_its_digest(buyer, private_root):
    invoice = ordered_invoice(buyer)
    proof = _upload(buyer, invoice, PDF, "Virement ACME mars.pdf", note="Sent on Monday")

    assert proof.status == PaymentProof.Status.SUBMITTED
    assert proof.content_type == "application/pdf"
    assert proof.size == len(PDF)
    assert proof.sha256 == hashlib.sha256(PDF).hexdigest()
    assert proof.original_name == "Virement ACME mars.pdf"
    assert proof.note == "Sent on Monday"
    assert proof.organisation_id == invoice.organisation_id
    # Stored under a random name: nothing of the partner's name reaches the disk.
    [stored] = stored_files(private_root)
    assert stored.read_bytes() == PDF
    assert "Virement" not in str(stored)
    assert "ACME" not in str(stored)
    assert stored.name.endswith(".pdf")
    assert len(stored.stem) == 32
    assert proof.file.name.startswith("payment-proofs/")
    with observer():
        event = AuditEvent.objects.get(action="payment_proof.uploaded")
    assert invoice.reference in event.summary


def test_a_png_named_pdf_is_accepted_as_the_png_it_is(buyer, private_root):
    invoice = ordered_invoice(buyer)
    png = image_bytes("PNG")
    proof = _upload(buyer, invoice, png, "transfer.pdf", content_type="application/pdf")

    assert proof.content_type == "image/png"
    assert proof.file.name.endswith(".png")
    assert payment_proof_filename(proof) == "transfer.png"
    jpeg = _upload(buyer, invoice, image_bytes("JPEG"), "scan", content_type="text/plain")
    assert jpeg.content_type == "image/jpeg"
    assert payment_proof_filename(jpeg) == "scan.jpg"


@pytest.mark.parametrize(
    ("content", "name", "declared", "code"),
    [
        (EXE, "proof.pdf", "application/pdf", "file_format"),  # a renamed executable
        (EXE, "proof.png", "image/png", "file_format"),
        (b"<html><script>alert(1)</script></html>", "proof.jpg", "image/jpeg", "file_format"),
        (b"GIF89a" + b"\x00" * 50, "proof.gif", "image/gif", "file_format"),
        (b"", "empty.pdf", "application/pdf", "file_empty"),
        (b"\x89PNG\r\n\x1a\n" + b"\x00" * 40, "broken.png", "image/png", "file_unreadable"),
        (b"\xff\xd8\xff\xe0" + b"\x00" * 40, "broken.jpg", "image/jpeg", "file_unreadable"),
    ],
)
def test_anything_else_is_refused_whatever_its_name_and_nothing_is_stored(
    buyer, private_root, content, name, declared, code
):
    invoice = ordered_invoice(buyer)
    error = _refused(buyer, invoice, content, name, content_type=declared)

    assert (error.field, error.code) == ("file", code)
    assert stored_files(private_root) == []
    with observer():
        assert not PaymentProof.objects.exists()


def test_an_oversized_file_is_refused_before_it_is_stored(buyer, private_root, settings):
    settings.PAYMENT_PROOF_MAX_BYTES = 2048
    invoice = ordered_invoice(buyer)
    big = PDF + b"%" + b"x" * 3000

    error = _refused(buyer, invoice, big, "big.pdf")
    assert (error.field, error.code) == ("file", "file_too_big")
    assert "limit" in error.message
    assert stored_files(private_root) == []
    # Just under the limit is fine.
    assert _upload(buyer, invoice, big[:2048], "fits.pdf").size == 2048


def test_the_size_limit_leaves_room_in_the_request_body_limit(settings):
    # A file at the limit reaches the service's clear message, not the 413 of the body.
    assert settings.PAYMENT_PROOF_MAX_BYTES + 64 * 1024 <= settings.REQUEST_BODY_MAX_BYTES


def test_an_image_claiming_too_many_pixels_is_refused_from_its_header(buyer, private_root):
    invoice = ordered_invoice(buyer)
    started = timezone.now()
    for width, height in [(25_000_000, 1), (30_000, 30_000), (9_000, 9_000)]:
        error = _refused(buyer, invoice, png_claiming(width, height), "bomb.png")
        assert error.code == "file_too_many_pixels", (width, height)
    # Refused from the header: nothing was decoded (that would take seconds and gigabytes).
    assert (timezone.now() - started).total_seconds() < 2
    assert stored_files(private_root) == []


# --- who uploads, for which invoice --------------------------------------------------------


@pytest.mark.parametrize("role", ["sales", "technical"])
def test_only_administrators_and_finance_people_upload(buyer, private_root, role):
    invoice = ordered_invoice(buyer)
    with pytest.raises(Forbidden):
        _upload(buyer, invoice, PDF, role=role)
    assert _upload(buyer, invoice, PDF, role="finance").status == "submitted"


def test_another_organisations_invoice_is_not_found(buyer, partner, private_root):
    invoice = ordered_invoice(buyer)
    other = partner("reseller", tier=1, country="DE")
    with tenant_context(other.organisation.pk), pytest.raises(Http404):
        payment_proof_upload(
            organisation=other.organisation,
            actor=other.admin,
            role="admin",
            invoice_id=invoice.pk,
            file=upload(PDF),
        )
    assert stored_files(private_root) == []


def test_a_paid_invoice_and_a_credit_note_take_no_proof(buyer, private_root):
    invoice = ordered_invoice(buyer)
    mark_paid(invoice)
    with pytest.raises(Conflict) as paid:
        _upload(buyer, invoice, PDF)
    assert paid.value.code == "already_paid"

    credit_note = issued_invoice(
        buyer.organisation,
        issued_on=timezone.localdate(),
        kind=Invoice.Kind.CREDIT_NOTE,
        credited=invoice,
    )
    error = _refused(buyer, credit_note, PDF, "proof.pdf")
    assert error.code == "credit_note"
    assert stored_files(private_root) == []


def test_a_note_is_text_of_bounded_length(buyer, private_root):
    invoice = ordered_invoice(buyer)
    error = _refused(buyer, invoice, PDF, "proof.pdf", note="x" * 251)
    assert error.field == "note"
    assert stored_files(private_root) == []


# --- the channel team decides --------------------------------------------------------------


def test_marking_paid_records_the_payment_accepts_the_proofs_and_pays_the_order(
    buyer, private_root, django_capture_on_commit_callbacks
):
    # Given an order's invoice with two proofs awaiting review
    order = place_order(buyer.organisation, space="personal")
    invoice = invoice_of(order)
    first = proof_for(buyer, invoice)
    second = proof_for(buyer, invoice, image_bytes("PNG"), "screenshot.png")
    staff = reviewer()
    paid_on = timezone.localdate()

    # When the channel team marks it paid from the first proof
    mail.outbox.clear()
    with system_context(f"staff:{staff.pk}"), django_capture_on_commit_callbacks(execute=True):
        payment = invoice_mark_paid(actor=staff, invoice=invoice, paid_on=paid_on, proof=first)

    # Then the payment is recorded once, in full, and every proof is accepted
    with observer():
        assert InvoicePayment.objects.get(invoice=invoice) == payment
        assert payment.amount == invoice.total
        assert payment.proof == first
        assert payment.recorded_by == staff
        first.refresh_from_db()
        second.refresh_from_db()
        order.refresh_from_db()
        actions = list(
            AuditEvent.objects.filter(action__in=["invoice.paid", "order.paid"]).values_list(
                "action", flat=True
            )
        )
    assert (first.status, second.status) == ("accepted", "accepted")
    assert first.reviewed_by == staff
    # And the order, whose only invoice it was, is paid (audited)
    assert order.status == Order.Status.PAID
    assert sorted(actions) == ["invoice.paid", "order.paid"]
    # And the partner's administrators are emailed (no hold: no "released" email)
    confirmed = [m for m in mail.outbox if "Payment received" in m.subject]
    assert [m.to for m in confirmed] == [[buyer.admin.email]]
    assert invoice.reference in confirmed[0].subject
    assert f"{invoice.total} USD" in confirmed[0].body or str(invoice.total) in confirmed[0].body
    assert f"/space/invoices/{invoice.pk}/" in confirmed[0].body
    assert "released" not in confirmed[0].body


def test_payment_emails_go_to_admins_finance_and_the_invoice_email(
    partner, django_capture_on_commit_callbacks
):
    from billing.models import BillingAccount

    buyer = partner("reseller", tier=1, country="FR", vat_number=FR_VAT)
    with observer():
        BillingAccount.objects.filter(organisation=buyer.organisation).update(
            invoice_email="Accounts@Buyer.example"
        )
    finance = member_of(buyer, role="finance")
    sales = member_of(buyer, role="sales")
    gone = member_of(buyer, role="finance")
    gone.user.is_active = False
    gone.user.save()
    invoice = ordered_invoice(buyer)
    assert invoice.buyer_email == "Accounts@Buyer.example"

    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        mark_paid(invoice)
    recipients = sorted(m.to[0] for m in mail.outbox if "Payment received" in m.subject)
    assert recipients == sorted([buyer.admin.email, finance.user.email, "accounts@buyer.example"])
    assert sales.user.email not in recipients


def test_marking_paid_needs_the_permission_whoever_calls(buyer):
    invoice = ordered_invoice(buyer)
    partner_admin = buyer.admin
    without = staff_user("billing.view_paymentproof")
    inactive = reviewer(is_active=False)
    for actor in (None, partner_admin, without, inactive, UserFactory()):
        with pytest.raises(Forbidden):
            invoice_mark_paid(actor=actor, invoice=invoice, paid_on=timezone.localdate())
    proof = proof_for(buyer, invoice)
    with pytest.raises(Forbidden):
        payment_proof_reject(actor=without, proof=proof, reason="Not ours")
    with observer():
        assert not InvoicePayment.objects.exists()
        proof.refresh_from_db()
    assert proof.status == "submitted"


def test_marking_paid_from_a_shell_without_a_context_sees_nothing(buyer):
    # A shell with no context is the application role with no tenant: fail closed.
    from tests.tenancy_support import outside_any_context

    invoice = ordered_invoice(buyer)
    staff = reviewer()
    with outside_any_context(), pytest.raises(Invoice.DoesNotExist):
        invoice_mark_paid(actor=staff, invoice=invoice, paid_on=timezone.localdate())
    with observer():
        assert not InvoicePayment.objects.exists()


def test_the_day_paid_is_between_issue_and_today(buyer):
    invoice = ordered_invoice(buyer)
    today = timezone.localdate()
    for day in (today + datetime.timedelta(days=1), invoice.issued_on - datetime.timedelta(days=1)):
        with pytest.raises(DomainError) as refused:
            mark_paid(invoice, paid_on=day)
        assert refused.value.field == "paid_on"
    with pytest.raises(DomainError):
        invoice_mark_paid(actor=reviewer(), invoice=invoice, paid_on=None)
    with observer():
        assert not InvoicePayment.objects.exists()


def test_an_invoice_is_paid_once_and_a_credit_note_never(buyer):
    invoice = ordered_invoice(buyer)
    mark_paid(invoice)
    with pytest.raises(Conflict) as again:
        mark_paid(invoice)
    assert again.value.code == "already_paid"
    credit_note = issued_invoice(
        buyer.organisation,
        issued_on=timezone.localdate(),
        kind=Invoice.Kind.CREDIT_NOTE,
        credited=invoice,
    )
    with pytest.raises(DomainError) as never:
        mark_paid(credit_note)
    assert never.value.code == "credit_note"
    with observer():
        assert InvoicePayment.objects.count() == 1


def test_rejecting_a_proof_needs_a_reason_and_emails_it(
    buyer, private_root, django_capture_on_commit_callbacks
):
    invoice = ordered_invoice(buyer)
    proof = proof_for(buyer, invoice)
    staff = reviewer()
    with pytest.raises(DomainError) as blank:
        payment_proof_reject(actor=staff, proof=proof, reason="   ")
    assert blank.value.field == "reason"

    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        payment_proof_reject(
            actor=staff, proof=proof, reason="This transfer is for another invoice."
        )
    with observer():
        proof.refresh_from_db()
        assert not InvoicePayment.objects.exists()
        event = AuditEvent.objects.get(action="payment_proof.rejected")
    assert proof.status == "rejected"
    assert proof.rejection_reason == "This transfer is for another invoice."
    assert proof.reviewed_by == staff
    assert "another invoice" in event.summary
    [email] = [m for m in mail.outbox if "not accepted" in m.subject]
    assert email.to == [buyer.admin.email]
    assert invoice.reference in email.subject
    assert "This transfer is for another invoice." in email.body
    assert f"/space/invoices/{invoice.pk}/" in email.body
    assert "IBAN" in email.body  # the vendor's bank details, to pay again

    # A rejected proof is decided: not rejected again, not used to mark the invoice paid
    with pytest.raises(Conflict):
        payment_proof_reject(actor=staff, proof=proof, reason="Again")
    with pytest.raises(Conflict) as rejected:
        mark_paid(invoice, proof=proof)
    assert rejected.value.code == "proof_rejected"
    # The partner uploads another, which the channel team accepts
    accepted = proof_for(buyer, invoice)
    mark_paid(invoice, proof=accepted)


def test_a_proof_of_another_invoice_is_refused(buyer, private_root):
    invoice = ordered_invoice(buyer)
    other = ordered_invoice(buyer)
    proof = proof_for(buyer, other)
    with pytest.raises(DomainError) as refused:
        mark_paid(invoice, proof=proof)
    assert refused.value.field == "proof"


def test_an_order_is_paid_once_all_its_invoices_are(buyer):
    from licensing.models import Plan
    from tests.licensing.factories import PlanFactory

    # Given a monthly subscription with its first two periods invoiced
    with observer():
        product = Plan.objects.filter(product__code="pro").first().product
    PlanFactory(product=product, billing_period="monthly", price="100.00")
    order = place_order(
        buyer.organisation, product=product, space="personal", billing_period="monthly"
    )
    from billing.services.periods import period_bill
    from licensing.services.licences import add_months

    with tenant_context(buyer.organisation.pk):
        second = period_bill(
            order=order, period_start=add_months(timezone.localdate(order.created_at), 1)
        )
    first = invoice_of_period(order, second)

    # When the first is paid, the order still waits; when the second is, it is paid
    mark_paid(first)
    with observer():
        order.refresh_from_db()
    assert order.status == Order.Status.PLACED
    mark_paid(second)
    with observer():
        order.refresh_from_db()
    assert order.status == Order.Status.PAID


def invoice_of_period(order, other) -> Invoice:
    with observer():
        return Invoice.objects.exclude(pk=other.pk).get(order=order)


# --- two people click at once ----------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_two_people_marking_paid_at_once_record_one_payment(vates_committed):
    from tests.billing.conftest import make_partner

    buyer = make_partner(vates_committed, type_code="reseller", country="FR", vat_number=FR_VAT)
    invoice = ordered_invoice(buyer)
    first, second = reviewer(), reviewer()
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def click(staff):
        try:
            barrier.wait(timeout=10)
            with system_context(f"staff:{staff.pk}"):
                invoice_mark_paid(actor=staff, invoice=invoice, paid_on=timezone.localdate())
            outcomes.append("paid")
        except Conflict as exc:
            outcomes.append(exc.code)
        finally:
            connection.close()

    threads = [threading.Thread(target=click, args=(s,)) for s in (first, second)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    assert sorted(outcomes) == ["already_paid", "paid"]
    with observer():
        assert InvoicePayment.objects.filter(invoice=invoice).count() == 1
        assert AuditEvent.objects.filter(action="invoice.paid").count() == 1
        assert AuditEvent.objects.filter(action="order.paid").count() == 1
        assert Order.objects.get(pk=invoice.order_id).status == Order.Status.PAID
