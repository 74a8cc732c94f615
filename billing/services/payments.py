"""Payments by wire transfer (SPEC §3.10): the partner uploads proof of its transfer for an
invoice; the channel team marks the invoice paid, or rejects the proof with a reason. The
reseller-space page, the API and the admin all call these; the rules live here only.

* Who: a proof is uploaded by the invoiced organisation's administrators and finance
  people (``roles.VIEW_INVOICES``); a payment is recorded and a proof rejected only by
  channel-team accounts holding ``billing.review_payments``, checked here whoever calls
  (a page, the admin, a shell): no actor, no permission, nothing done.
* Once: marking paid locks the invoice row first and finds no payment under the lock, so
  two people confirming the same transfer at once record one payment (the second is told
  it is already paid); the invoice's unique payment row backs this in the database. The
  lock order is always invoice, then proof, then order.
* An invoice is paid in full (its total) or not; a credit note is never paid (it is
  deducted) and takes no proof. Marking paid accepts the proof it names and closes the
  invoice's other proofs awaiting review (accepted with it).
* An order whose invoices are all paid becomes paid (audited): a programme that holds
  licences until payment (``Programme.hold_licences_until_paid``) then lets them be bound
  (billing.selectors.payments, read by licensing's binding and by redemption codes).
* Emails (payment confirmed, proof rejected with the reason, the order's licences
  released) are sent by tasks after the commit.
"""

from __future__ import annotations

import datetime
import unicodedata
from pathlib import PurePath

from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone

from billing.models import Invoice, InvoicePayment, Order, PaymentProof
from billing.selectors.invoices import invoice_amount_due
from billing.selectors.payments import invoice_for_payment
from billing.services.orders import notify_order_paid
from billing.services.proof_files import proof_file_check
from partners import roles
from partners.models import Organisation
from portal.audit.services import audit_record
from portal.errors import Conflict, DomainError, Forbidden
from portal.formats import format_date
from portal.permissions import require_staff_permission

REVIEW_PERMISSION = "billing.review_payments"
NOT_ALLOWED = "Only your organisation's administrators and finance people handle invoices."
NO_PERMISSION = "Deciding on payments needs the channel team's permission to review payments."
#: Proofs one invoice may have (each rejected one included): a bound on what one invoice
#: stores, far above a real need.
MAX_PROOFS_PER_INVOICE = 10
NOTE_MAX = 250
REASON_MAX = 500


# --- the partner uploads a proof -----------------------------------------------------------


def _text_clean(value, *, field: str, limit: int, required: bool, what: str) -> str:
    text = " ".join(str(value or "").split())
    if required and not text:
        raise DomainError(f"Give {what}.", field=field, code="required")
    if len(text) > limit:
        raise DomainError(
            f"{what[0].upper()}{what[1:]}: at most {limit} characters.",
            field=field,
            code="too_long",
        )
    if not text.isprintable():
        raise DomainError(f"{what[0].upper()}{what[1:]}: text only.", field=field)
    return text


def proof_original_name(name: str) -> str:
    """The partner's name for its file, as shown and offered on download (never a path
    on the server: the file is stored under a random name)."""
    base = PurePath(str(name or "").replace("\\", "/")).name
    cleaned = "".join(ch for ch in base if unicodedata.category(ch)[0] != "C").strip()
    return cleaned[-200:] or "payment-proof"


def _lock_invoice(invoice_id) -> Invoice:
    return Invoice.objects.select_for_update(of=("self",)).get(pk=invoice_id)


def _ensure_payable(invoice: Invoice) -> None:
    if invoice.is_credit_note:
        raise DomainError(
            f"{invoice.reference} is a credit note: it is deducted, never paid.",
            code="credit_note",
        )
    payment = InvoicePayment.objects.filter(invoice=invoice).first()
    if payment is not None:
        raise Conflict(
            f"Invoice {invoice.reference} is already paid (on {format_date(payment.paid_on)}).",
            code="already_paid",
        )


def payment_proof_upload(
    *,
    organisation: Organisation,
    actor,
    role: str | None,
    invoice_id,
    file,
    note: str = "",
) -> PaymentProof:
    """Store a proof of the transfer for one of the organisation's invoices and put it in
    the channel team's review queue. The file is checked by its content
    (billing.services.proof_files) before anything is written; nothing is stored when it
    is refused."""
    if role not in roles.VIEW_INVOICES:
        raise Forbidden(NOT_ALLOWED, code="permission_denied")
    invoice = invoice_for_payment(organisation=organisation, invoice_id=invoice_id)
    note = _text_clean(note, field="note", limit=NOTE_MAX, required=False, what="the note")
    checked = proof_file_check(file)
    with transaction.atomic():
        invoice = _lock_invoice(invoice.pk)
        _ensure_payable(invoice)
        if PaymentProof.objects.filter(invoice=invoice).count() >= MAX_PROOFS_PER_INVOICE:
            raise Conflict(
                f"Invoice {invoice.reference} already has {MAX_PROOFS_PER_INVOICE} proofs; "
                "write to the channel team.",
                field="file",
                code="too_many_proofs",
            )
        proof = PaymentProof(
            organisation=invoice.organisation,
            invoice=invoice,
            original_name=proof_original_name(getattr(file, "name", "")),
            content_type=checked.kind.content_type,
            size=checked.size,
            sha256=checked.sha256,
            note=note,
            uploaded_by=actor if getattr(actor, "is_authenticated", False) else None,
        )
        # The storage name is random (the model's upload_to): only the extension of what
        # the content is survives.
        proof.file.save(f"proof{checked.kind.extension}", ContentFile(checked.content), save=False)
        try:
            proof.save()
            audit_record(
                actor=actor,
                action="payment_proof.uploaded",
                obj=proof,
                organisation=invoice.organisation,
                after={
                    "invoice": invoice.reference,
                    "file": proof.original_name,
                    "content_type": proof.content_type,
                    "size": proof.size,
                    "sha256": proof.sha256,
                    "note": note,
                },
                summary=f"Proof of payment for invoice {invoice.reference} uploaded "
                f"({proof.original_name})",
            )
        except BaseException:
            proof.file.delete(save=False)
            raise
    return proof


# --- the channel team decides ----------------------------------------------------------------


def _paid_on_clean(paid_on, *, invoice: Invoice) -> datetime.date:
    if isinstance(paid_on, datetime.datetime):
        paid_on = paid_on.date()
    if not isinstance(paid_on, datetime.date):
        raise DomainError("Give the day the transfer arrived.", field="paid_on", code="required")
    if paid_on > timezone.localdate():
        raise DomainError("The payment cannot arrive in the future.", field="paid_on")
    if paid_on < invoice.issued_on:
        raise DomainError(
            f"The invoice was issued on {format_date(invoice.issued_on)}: the payment "
            "arrived on that day or later.",
            field="paid_on",
        )
    return paid_on


def _lock_proof(proof_id, *, invoice: Invoice) -> PaymentProof:
    proof = PaymentProof.objects.select_for_update().filter(pk=proof_id).first()
    if proof is None or proof.invoice_id != invoice.pk:
        raise DomainError("This proof is not one of the invoice's.", field="proof")
    return proof


def invoice_mark_paid(
    *, actor, invoice: Invoice, paid_on: datetime.date, proof: PaymentProof | None = None
) -> InvoicePayment:
    """Record that ``invoice`` is paid (in full, on ``paid_on``), accepting ``proof`` if
    given; settle its order; the partner is emailed. See the module's note."""
    require_staff_permission(actor, REVIEW_PERMISSION, NO_PERMISSION)
    with transaction.atomic():
        invoice = _lock_invoice(invoice.pk)
        _ensure_payable(invoice)
        paid_on = _paid_on_clean(paid_on, invoice=invoice)
        if proof is not None:
            proof = _lock_proof(proof.pk, invoice=invoice)
            if proof.status == PaymentProof.Status.REJECTED:
                raise Conflict(
                    "This proof was rejected; mark the invoice paid without it, or from "
                    "another proof.",
                    code="proof_rejected",
                )
        payment = InvoicePayment.objects.create(
            organisation=invoice.organisation,
            invoice=invoice,
            amount=invoice_amount_due(invoice),
            paid_on=paid_on,
            proof=proof,
            recorded_by=actor,
        )
        now = timezone.now()
        accepted = list(
            PaymentProof.objects.select_for_update()
            .filter(invoice=invoice, status=PaymentProof.Status.SUBMITTED)
            .order_by("uploaded_at", "id")
        )
        for waiting in accepted:
            waiting.status = PaymentProof.Status.ACCEPTED
            waiting.reviewed_by = actor
            waiting.reviewed_at = now
            waiting.save(update_fields=["status", "reviewed_by", "reviewed_at"])
        audit_record(
            actor=actor,
            action="invoice.paid",
            obj=invoice,
            organisation=invoice.organisation,
            after={
                "paid_on": paid_on.isoformat(),
                "amount": str(payment.amount),
                "currency": invoice.currency,
                "proof": str(proof.pk) if proof else "",
                "proofs_accepted": [str(p.pk) for p in accepted],
            },
            summary=f"Invoice {invoice.reference} paid on {format_date(paid_on)}: "
            f"{payment.amount} {invoice.currency}",
        )
        order = _order_settle(order_id=invoice.order_id, actor=actor) if invoice.order_id else None
        _notify(organisation_id=invoice.organisation_id, event="confirmed", invoice_id=invoice.pk)
        if order is not None and order.organisation.partner_type.programme.hold_licences_until_paid:
            notify_order_paid(order)
    return payment


def _order_settle(*, order_id, actor) -> Order | None:
    """The order becomes paid once all its invoices are; returns it when it just did."""
    order = (
        Order.objects.select_for_update(of=("self",))
        .select_related("organisation__partner_type__programme")
        .get(pk=order_id)
    )
    if order.status != Order.Status.PLACED:
        return None
    unpaid = Invoice.objects.filter(
        order=order, kind=Invoice.Kind.INVOICE, payment__isnull=True
    ).exists()
    if unpaid:
        return None
    order.status = Order.Status.PAID
    order.save(update_fields=["status"])
    held = order.organisation.partner_type.programme.hold_licences_until_paid
    audit_record(
        actor=actor,
        action="order.paid",
        obj=order,
        organisation=order.organisation,
        before={"status": Order.Status.PLACED},
        after={"status": Order.Status.PAID},
        summary=f"Order {order.reference} paid"
        + (": its licences are released to the customer" if held else ""),
    )
    return order


def payment_proof_reject(*, actor, proof: PaymentProof, reason: str) -> PaymentProof:
    """Reject a proof awaiting review, with the reason the partner reads; the partner is
    emailed and may upload another."""
    require_staff_permission(actor, REVIEW_PERMISSION, NO_PERMISSION)
    reason = _text_clean(
        reason, field="reason", limit=REASON_MAX, required=True, what="the reason for the partner"
    )
    with transaction.atomic():
        invoice = _lock_invoice(proof.invoice_id)
        proof = _lock_proof(proof.pk, invoice=invoice)
        if proof.status != PaymentProof.Status.SUBMITTED:
            raise Conflict(
                f"This proof is already {proof.get_status_display().lower()}.",
                code="already_reviewed",
            )
        proof.status = PaymentProof.Status.REJECTED
        proof.rejection_reason = reason
        proof.reviewed_by = actor
        proof.reviewed_at = timezone.now()
        proof.save(update_fields=["status", "rejection_reason", "reviewed_by", "reviewed_at"])
        audit_record(
            actor=actor,
            action="payment_proof.rejected",
            obj=proof,
            organisation=proof.organisation,
            before={"status": PaymentProof.Status.SUBMITTED},
            after={"status": proof.status, "reason": reason},
            summary=f"Proof of payment for invoice {invoice.reference} rejected: {reason}",
        )
        _notify(
            organisation_id=proof.organisation_id,
            event="rejected",
            invoice_id=invoice.pk,
            proof_id=proof.pk,
        )
    return proof


def _notify(*, organisation_id, event: str, invoice_id, proof_id=None) -> None:
    from billing.tasks import send_payment_email  # tasks import the services

    send_payment_email.delay_on_commit(
        organisation_id=str(organisation_id),
        event=event,
        invoice_id=str(invoice_id),
        proof_id=str(proof_id) if proof_id else "",
    )
