"""The partner's emails about paying its invoices: payment confirmed, proof rejected (with
the reason), invoice overdue. Sent by ``billing.send_payment_email`` in the invoiced
organisation's context, from ids: what an email says is read when it is sent, and an email
that no longer applies (an overdue invoice paid meanwhile) is not sent."""

from __future__ import annotations

from django.conf import settings
from django.urls import reverse

from billing.models import Invoice, InvoicePayment, PaymentProof
from billing.selectors.invoices import invoice_amount_due
from partners import roles
from partners.models import Membership
from portal.formats import format_date
from portal.mail import send_templated

#: Every payment email (templates billing/emails/<name>_subject.txt and _body.txt).
PAYMENT_EMAILS = {
    "confirmed": "billing/emails/payment_confirmed",
    "rejected": "billing/emails/payment_rejected",
    "overdue": "billing/emails/invoice_overdue",
}


def invoice_recipients(*, invoice: Invoice) -> list[str]:
    """Who hears about paying an invoice: the invoiced organisation's active
    administrators and finance people, and the invoice email of its billing account."""
    members = Membership.objects.for_tenant(invoice.organisation_id).filter(
        user__is_active=True, role__in=roles.VIEW_INVOICES
    )
    emails = {email.lower() for email in members.values_list("user__email", flat=True)}
    if invoice.buyer_email:
        emails.add(invoice.buyer_email.lower())
    return sorted(emails)


def invoice_url(invoice: Invoice) -> str:
    return settings.PORTAL_BASE_URL + reverse("billing:invoice-detail", args=[invoice.pk])


def _context(*, event: str, invoice: Invoice, proof_id: str, days_overdue: int) -> dict | None:
    """What the email says, or None when it no longer applies."""
    payment = InvoicePayment.objects.filter(invoice=invoice).first()
    context = {
        "invoice": invoice,
        "order": invoice.order,
        "due_on": format_date(invoice.due_on),
        "amount_due": invoice_amount_due(invoice),
        "invoice_url": invoice_url(invoice),
    }
    if event == "confirmed":
        if payment is None:
            return None
        order = invoice.order
        released = bool(
            order is not None
            and order.status == order.Status.PAID
            and order.organisation.partner_type.programme.hold_licences_until_paid
        )
        return {
            **context,
            "payment": payment,
            "paid_on": format_date(payment.paid_on),
            "released": released,
        }
    if event == "rejected":
        proof = PaymentProof.objects.filter(
            pk=proof_id, invoice=invoice, status=PaymentProof.Status.REJECTED
        ).first()
        return None if proof is None else {**context, "proof": proof, "paid": payment}
    if event == "overdue":
        return None if payment is not None else {**context, "days": days_overdue}
    raise ValueError(f"unknown payment email {event!r}")


def payment_email_send(*, event: str, invoice_id, proof_id: str = "", days_overdue: int = 0) -> int:
    """Send ``event``'s email about an invoice; returns how many were sent (none for an
    invoice this context cannot see, or an email that no longer applies)."""
    if event not in PAYMENT_EMAILS:
        raise ValueError(f"unknown payment email {event!r}")
    invoice = Invoice.objects.select_related("order").filter(pk=invoice_id).first()
    if invoice is None:
        return 0
    context = _context(event=event, invoice=invoice, proof_id=proof_id, days_overdue=days_overdue)
    if context is None:
        return 0
    recipients = invoice_recipients(invoice=invoice)
    for email in recipients:  # one message each: no one sees whom else it went to
        send_templated(to=[email], template=PAYMENT_EMAILS[event], context=context)
    return len(recipients)
