"""Reading invoices and credit notes: the party invoiced's own (SPEC §3.10). Only its
administrators and finance members read them (partners.roles.VIEW_INVOICES); a reseller
of a two-tier sale never reads its distributor's."""

from __future__ import annotations

import datetime
from decimal import Decimal

import django_filters
from django.db.models import Case, CharField, F, Q, QuerySet, Value, When
from django.utils import timezone

from billing.models import Invoice
from partners.models import Organisation
from portal.filters import TextSearchFilter
from portal.tenancy.models import get_for_tenant_or_404


class PaymentState:
    PAID = "paid"
    UNPAID = "unpaid"
    OVERDUE = "overdue"
    CREDIT_NOTE = "credit_note"  # a credit note is never paid: it is deducted

    CHOICES = [(PAID, "Paid"), (UNPAID, "Awaiting payment"), (OVERDUE, "Overdue")]


def unpaid_invoices() -> Q:
    """Invoices (never credit notes) without a payment."""
    return Q(kind=Invoice.Kind.INVOICE, payment__isnull=True)


def with_payment_state(
    queryset: QuerySet[Invoice], *, today: datetime.date | None = None
) -> QuerySet[Invoice]:
    """The one rule of an invoice's payment, decided by the database for a whole page in
    its query: ``payment_state`` (paid, unpaid, overdue: unpaid after its due date, or
    credit_note) and ``paid_on``."""
    today = today or timezone.localdate()
    return queryset.annotate(
        paid_on=F("payment__paid_on"),
        payment_state=Case(
            When(kind=Invoice.Kind.CREDIT_NOTE, then=Value(PaymentState.CREDIT_NOTE)),
            When(payment__isnull=False, then=Value(PaymentState.PAID)),
            When(due_on__lt=today, then=Value(PaymentState.OVERDUE)),
            default=Value(PaymentState.UNPAID),
            output_field=CharField(),
        ),
    )


def invoices_for(*, organisation: Organisation) -> QuerySet[Invoice]:
    """The organisation's invoices and credit notes, newest first, with their payment
    state, PDF status and what they bill: one query for a page whatever its length."""
    return with_payment_state(
        Invoice.objects.owned_by(organisation).select_related(
            "document", "order", "credited_invoice"
        )
    ).order_by("-issued_on", "-series", "-number")


def invoice_for(*, organisation: Organisation, invoice_id) -> Invoice:
    """One of the organisation's invoices (404 for a missing one and another's alike)."""
    return get_for_tenant_or_404(
        invoices_for(organisation=organisation).prefetch_related("lines", "credit_notes"),
        organisation,
        pk=invoice_id,
    )


class InvoiceFilterSet(django_filters.FilterSet):
    kind = django_filters.ChoiceFilter(
        choices=Invoice.Kind.choices,
        label="Kind",
        error_messages={"invalid_choice": "%(value)s is not invoice or credit_note."},
    )
    payment = django_filters.ChoiceFilter(
        choices=PaymentState.CHOICES,
        field_name="payment_state",
        label="Payment",
        error_messages={"invalid_choice": "%(value)s is not paid, unpaid or overdue."},
    )
    issued_after = django_filters.DateFilter(
        field_name="issued_on", lookup_expr="gte", label="Issued on or after"
    )
    issued_before = django_filters.DateFilter(
        field_name="issued_on", lookup_expr="lte", label="Issued on or before"
    )
    search = TextSearchFilter(
        fields=("reference", "customer_name", "order__reference"),
        max_length=200,
        label="Search (number, customer, order)",
    )
    ordering = django_filters.OrderingFilter(
        fields=(("issued_on", "issued_on"), ("total", "total"), ("reference", "reference")),
        label="Order by",
    )

    class Meta:
        model = Invoice
        fields: list[str] = []


def invoice_document_file(invoice: Invoice):
    """The invoice's PDF and its download name, or None while it is not ready."""
    document = getattr(invoice, "document", None)
    if document is None or document.status != document.Status.READY or not document.pdf:
        return None
    return document.pdf, f"{invoice.reference}.pdf"


def invoice_document_status(invoice: Invoice) -> str:
    document = getattr(invoice, "document", None)
    return document.status if document is not None else "pending"


def order_invoices(*, order, organisation: Organisation) -> list[Invoice]:
    """The invoices of an order that ``organisation`` was sent: the buyer's, or in a
    two-tier sale the distributor's (the reseller's own are its distributor's business)."""
    return list(
        with_payment_state(Invoice.objects.owned_by(organisation).filter(order=order))
        .select_related("document")
        .order_by("issued_on", "number")
    )


def credit_notes_applied(invoice: Invoice) -> QuerySet[Invoice]:
    """The credit notes that reduce what ``invoice`` asks to be paid: the corrections of it
    (a credit note against it, for no other order), and the credit notes of the unused
    time an upgrade credits against earlier invoices, applied to the upgrade's invoice
    (the credit note names the upgrade's order)."""
    if invoice.is_credit_note:
        return Invoice.objects.none()
    corrections = Q(credited_invoice=invoice, order__isnull=True)
    applied = Q(order_id=invoice.order_id) & ~Q(credited_invoice=invoice)
    if invoice.order_id is None:
        applied = Q(pk__in=[])
    return Invoice.objects.filter(corrections | applied, kind=Invoice.Kind.CREDIT_NOTE).order_by(
        "issued_on", "number"
    )


def invoice_amount_due(invoice: Invoice, applied: list[Invoice] | None = None) -> Decimal:
    """What the partner transfers for ``invoice``: its total less the credit notes applied
    to it (never below zero); nothing for a credit note."""
    if invoice.is_credit_note:
        return Decimal("0.00")
    applied = list(credit_notes_applied(invoice)) if applied is None else applied
    return max(
        invoice.total - sum((note.total for note in applied), Decimal("0.00")), Decimal("0.00")
    )
