"""Reading payments (SPEC §3.10): whether an invoice is paid or overdue, its payment
proofs, the channel team's review queue of proofs (ages in business days against the
programme's payment review time), and whether an order's licences are held until it is
paid (a programme setting)."""

from __future__ import annotations

import datetime
import operator
from dataclasses import dataclass
from functools import reduce
from pathlib import PurePath

from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from billing.models import Invoice, Order, OrderLine, PaymentProof
from billing.selectors.invoices import PaymentState as PaymentStates
from billing.selectors.invoices import unpaid_invoices, with_payment_state
from partners.models import Organisation
from partners.models.programme import MAX_PAYMENT_REVIEW_DAYS
from portal.admin_site import QueueCounts
from portal.business_days import business_cutoff, business_time_between
from portal.tenancy.models import get_for_tenant_or_404

#: Where a proof's organisation keeps its payment review time.
_REVIEW_DAYS = "organisation__partner_type__programme__payment_review_days"

#: The download's extension, by the type the content was found to be.
PROOF_EXTENSIONS = {"application/pdf": ".pdf", "image/png": ".png", "image/jpeg": ".jpg"}


# --- paid and overdue ----------------------------------------------------------------------


def invoices_overdue(
    queryset: QuerySet[Invoice] | None = None, *, today: datetime.date | None = None
) -> QuerySet[Invoice]:
    """The invoices of ``queryset`` still unpaid after their due date."""
    queryset = Invoice.objects.all() if queryset is None else queryset
    return with_payment_state(queryset, today=today).filter(payment_state=PaymentStates.OVERDUE)


@dataclass(frozen=True)
class PaymentState:
    """An invoice's payment as a page says it."""

    status: str  # "paid", "overdue", "due" or "credit_note"
    paid_on: datetime.date | None
    days_overdue: int

    @property
    def label(self) -> str:
        return {
            "paid": "Paid",
            "overdue": "Overdue",
            "due": "Awaiting payment",
            "credit_note": "Credit note",
        }[self.status]


def invoice_payment_state(invoice: Invoice, *, today: datetime.date | None = None) -> PaymentState:
    """Paid (on which day), overdue (by how many days), awaiting payment, or a credit note
    (never paid: it is deducted), by the rule of ``with_payment_state``. One query."""
    today = today or timezone.localdate()
    row = (
        with_payment_state(Invoice.objects.filter(pk=invoice.pk), today=today)
        .values("payment_state", "paid_on", "due_on")
        .get()
    )
    status = row["payment_state"]
    return PaymentState(
        status="due" if status == PaymentStates.UNPAID else status,
        paid_on=row["paid_on"],
        days_overdue=(today - row["due_on"]).days if status == PaymentStates.OVERDUE else 0,
    )


# --- the partner's proofs -------------------------------------------------------------------


def invoice_for_payment(*, organisation: Organisation, invoice_id) -> Invoice:
    """One of the organisation's own invoices (404 for a missing one and another's alike)."""
    return get_for_tenant_or_404(
        Invoice.objects.owned_by(organisation).select_related(
            "order", "organisation__partner_type__programme"
        ),
        organisation,
        pk=invoice_id,
    )


def payment_proofs_of(invoice: Invoice) -> QuerySet[PaymentProof]:
    """An invoice's proofs, newest first."""
    return (
        PaymentProof.objects.filter(invoice=invoice)
        .select_related("uploaded_by")
        .order_by("-uploaded_at", "-id")
    )


def payment_proof_for(*, organisation: Organisation, proof_id) -> PaymentProof:
    """One of the organisation's own proofs (404 for a missing one and another's alike)."""
    return get_for_tenant_or_404(
        PaymentProof.objects.owned_by(organisation).select_related("invoice"),
        organisation,
        pk=proof_id,
    )


def payment_proof_filename(proof: PaymentProof) -> str:
    """The name a download gets: the partner's name for it, with the extension of what it
    really is (a PNG named ``transfer.pdf`` downloads as ``transfer.png``)."""
    stem = PurePath(proof.original_name).stem or "payment-proof"
    return f"{stem}{PROOF_EXTENSIONS.get(proof.content_type, '')}"


# --- the channel team's review queue ------------------------------------------------------


def proofs_waiting(queryset: QuerySet[PaymentProof] | None = None) -> QuerySet[PaymentProof]:
    queryset = PaymentProof.objects.all() if queryset is None else queryset
    return queryset.filter(status=PaymentProof.Status.SUBMITTED)


def _late(now: datetime.datetime) -> Q:
    """Waiting past the programme's review time, as one condition: a cutoff for each
    possible review time (the programme's field is bounded)."""
    return reduce(
        operator.or_,
        (
            Q(**{_REVIEW_DAYS: days, "uploaded_at__lt": business_cutoff(now, days)})
            for days in range(1, MAX_PAYMENT_REVIEW_DAYS + 1)
        ),
    )


def proofs_late(
    queryset: QuerySet[PaymentProof], *, now: datetime.datetime | None = None
) -> QuerySet[PaymentProof]:
    """The proofs of ``queryset`` waiting for review past their programme's time."""
    return proofs_waiting(queryset).filter(_late(now or timezone.now()))


def proof_queue(queryset: QuerySet[PaymentProof] | None = None) -> QuerySet[PaymentProof]:
    """What the review list shows, oldest first (the id breaks ties)."""
    queryset = PaymentProof.objects.all() if queryset is None else queryset
    return queryset.select_related(
        "invoice", "organisation__partner_type__programme", "uploaded_by", "reviewed_by"
    ).order_by("uploaded_at", "id")


def proof_queue_counts() -> QueueCounts:
    """The admin home's queue: how many proofs wait and how many are late. One query."""
    counts = proofs_waiting().aggregate(
        waiting=Count("pk"), late=Count("pk", filter=_late(timezone.now()))
    )
    return QueueCounts(waiting=counts["waiting"], late=counts["late"])


@dataclass(frozen=True)
class ReviewAge:
    days: int  # business days waited (a reviewed proof: those it took)
    review_days: int
    late: bool


def proof_review_age(*, proof: PaymentProof, now: datetime.datetime | None = None) -> ReviewAge:
    """How long a proof has waited for the channel team, in business days, against its
    programme's payment review time (no query when the programme is loaded)."""
    end = proof.reviewed_at or now or timezone.now()
    review_days = proof.organisation.partner_type.programme.payment_review_days
    waited = business_time_between(proof.uploaded_at, end)
    late = proof.status == PaymentProof.Status.SUBMITTED and waited > datetime.timedelta(
        days=review_days
    )
    return ReviewAge(days=waited.days, review_days=review_days, late=late)


# --- licences held until the order is paid --------------------------------------------------


@dataclass(frozen=True)
class PaymentHold:
    """An order whose programme holds its licences until it is paid."""

    order: Order
    invoices: tuple[str, ...]  # the references of its unpaid invoices the caller may read

    @property
    def message(self) -> str:
        if self.invoices:
            awaited = f"invoice {', '.join(self.invoices)}"
        else:  # a two-tier sale: the invoice is the distributor's
            awaited = "its invoice to your distributor"
        return (
            f"Order {self.order.reference} is not paid yet: its licences are released to "
            f"the customer once {awaited} is paid and the channel team has confirmed it."
        )


def order_awaiting_payment(order: Order) -> PaymentHold | None:
    """The hold on ``order``, if its owner's programme holds licences until payment and the
    order is not paid yet; else None."""
    programme = order.organisation.partner_type.programme
    if not programme.hold_licences_until_paid or order.status != Order.Status.PLACED:
        return None
    invoices = (
        Invoice.objects.filter(unpaid_invoices(), order=order)
        .order_by("issued_on", "number")
        .values_list("reference", flat=True)
    )
    return PaymentHold(order=order, invoices=tuple(invoices))


def order_awaiting_payment_for_licence(licence) -> PaymentHold | None:
    """The hold on the order that issued ``licence`` (None for a licence no order issued,
    such as a trial, or one no hold applies to)."""
    line = (
        OrderLine.objects.filter(licence=licence)
        .select_related("order__organisation__partner_type__programme")
        .first()
    )
    return None if line is None else order_awaiting_payment(line.order)
