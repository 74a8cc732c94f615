"""Issuing invoices and credit notes (SPEC §3.4, §3.5, §3.10).

An invoice is issued in the transaction that makes what it bills (an order, a period of a
monthly subscription, an upgrade, a renewal): it takes the next number of its series and
year from ``InvoiceCounter`` in that transaction, so a rolled-back sale gives its number
back and numbers have no gaps. Issued, it never changes (database triggers); its PDF is
rendered afterwards by the task billing.render_invoice_pdf into an ``InvoiceDocument``.

The party invoiced is the partner that buys, or, in a two-tier sale, the distributor the
reseller buys through: the vendor invoices the distributor at the distributor's price,
and the distributor bills its reseller itself (the reseller reads its price on the order).
The tax is decided for that party on the invoice date (billing.tax).
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import Decimal

from django.db import IntegrityError, connection
from django.utils import timezone

from billing.models import (
    BillingAccount,
    CurrencyRate,
    Invoice,
    InvoiceCounter,
    InvoiceDocument,
    InvoiceLine,
    Order,
    Space,
)
from billing.money import ZERO, percent_of, quantize_price
from billing.services.pricing import tax_rates, units_billed
from billing.tax import TaxTreatment, tax_treatment
from licensing.models import BillingPeriod
from licensing.services.licences import add_months
from partners.models import Organisation
from portal.audit.services import audit_record
from portal.errors import DomainError
from portal.tenancy.context import tenant_context
from portal.vendor.selectors import current_vendor

INVOICE_SERIES = "INV"
CREDIT_NOTE_SERIES = "CN"
PAYMENT_TERM_DAYS = 30
REPORTING_CURRENCY = "USD"


# --- numbers and rates ---------------------------------------------------------------------


def invoice_number_next(*, series: str, year: int) -> int:
    """The next number of ``series`` in ``year``, taken in the caller's transaction.

    One statement creates the counter or increments it and keeps its row locked until the
    transaction ends: a concurrent issue waits, then reads the committed value; a rollback
    undoes the increment. Gapless, unlike a sequence."""
    if not connection.in_atomic_block:
        raise RuntimeError("an invoice number is taken inside the issuing transaction")
    table = InvoiceCounter._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} (series, year, last_number) VALUES (%s, %s, 1) "  # noqa: S608
            "ON CONFLICT (series, year) "
            f"DO UPDATE SET last_number = {table}.last_number + 1 "
            "RETURNING last_number",
            [series, year],
        )
        return cursor.fetchone()[0]


def invoice_reference(*, series: str, year: int, number: int) -> str:
    """``INV-2026-000042``."""
    return f"{series}-{year}-{number:06d}"


def usd_rate_on(*, currency: str, day: datetime.date) -> Decimal:
    """US dollars for one unit of ``currency``, at the rate in force on ``day``."""
    if currency == REPORTING_CURRENCY:
        return Decimal("1")
    rate = (
        CurrencyRate.objects.filter(currency=currency, valid_from__lte=day)
        .order_by("-valid_from")
        .values_list("usd_rate", flat=True)
        .first()
    )
    if rate is None:
        raise DomainError(
            f"No US dollar rate for {currency} on {day:%Y-%m-%d}: the channel team adds one "
            "(Billing > Currency rates) before it can be invoiced.",
            code="no_currency_rate",
        )
    return rate


# --- who is invoiced -----------------------------------------------------------------------


@dataclass(frozen=True)
class Buyer:
    organisation: Organisation
    name: str
    address: str
    country: str
    vat_number: str
    vat_number_valid: bool
    email: str


def invoiced_party(order: Order) -> Organisation:
    """The vendor invoices the distributor of a two-tier sale, else the buyer."""
    if order.distributor_id is not None and order.space == Space.RESELLER:
        return order.distributor
    return order.organisation


def buyer_of(organisation: Organisation) -> Buyer:
    """The party's billing identity as it is now (read in its own context: in a two-tier
    sale the order's context is the reseller's)."""
    with tenant_context(organisation.pk, on_behalf_of="billing:invoice"):
        account = BillingAccount.objects.owned_by(organisation).first()
    if account is None:
        return Buyer(
            organisation=organisation,
            name=organisation.name,
            address="",
            country=str(organisation.country),
            vat_number="",
            vat_number_valid=False,
            email="",
        )
    return Buyer(
        organisation=organisation,
        name=account.legal_name,
        address=account.address,
        country=str(account.country),
        vat_number=account.vat_number,
        vat_number_valid=account.vat_number_valid,
        email=account.invoice_email,
    )


# --- issuing -------------------------------------------------------------------------------


@dataclass(frozen=True)
class LineDraft:
    """One line to invoice, before tax (the invoice's party decides the tax)."""

    product_code: str
    description: str
    quantity: Decimal
    unit_price: Decimal
    list_amount: Decimal
    charity_discount: Decimal
    partner_discount_percent: Decimal
    partner_discount: Decimal
    credit_applied: Decimal = ZERO

    @property
    def gross_amount(self) -> Decimal:
        return self.list_amount - self.charity_discount

    @property
    def net_amount(self) -> Decimal:
        return self.gross_amount - self.partner_discount - self.credit_applied


def period_of(*, start: datetime.date, billing_period: str) -> tuple[datetime.date, datetime.date]:
    """The first and last day of one billing period from ``start``."""
    months = 1 if billing_period == BillingPeriod.MONTHLY else 12
    return start, add_months(start, months) - datetime.timedelta(days=1)


def order_line_drafts(
    order: Order, *, two_tier: bool, period: tuple[datetime.date, datetime.date]
) -> list[LineDraft]:
    """The order's lines as invoiced: at the distributor's price in a two-tier sale.

    An upgrade's credit is not a discount of the upgrade: it is the credit notes against
    the invoices that billed the unused time (billing.services.upgrades), settled against
    this invoice. The invoice bills the new plan in full, less only the partner's
    first-sale balance it spent; the partner pays it less those credit notes, which is
    the order's total."""
    start, end = period
    upgrade_left = order.upgrade_credit
    drafts = []
    for line in order.lines.select_related("product"):
        units = units_billed(product=line.product, quantity=line.quantity, copies=line.copies)
        description = f"{line.product_name}, {start:%d %b %Y} to {end:%d %b %Y}"
        if two_tier:
            discount_percent = line.distributor_discount_percent
            discount = line.distributor_discount
            credit = ZERO
        else:
            discount_percent, discount = line.partner_discount_percent, line.partner_discount
            # The engine took the upgrade's credit first, line by line: the same split.
            upgrade = min(upgrade_left, line.credit_applied)
            upgrade_left -= upgrade
            credit = line.credit_applied - upgrade
        drafts.append(
            LineDraft(
                product_code=line.product_code,
                description=f"{description} (for {order.customer_name})",
                quantity=Decimal(units),
                unit_price=line.unit_price,
                list_amount=line.list_amount,
                charity_discount=line.charity_discount,
                partner_discount_percent=discount_percent,
                partner_discount=discount,
                credit_applied=credit,
            )
        )
    return drafts


def invoice_issue(
    *,
    buyer: Buyer,
    lines: list[LineDraft],
    currency: str,
    actor,
    purpose: str = Invoice.Purpose.ORDER,
    kind: str = Invoice.Kind.INVOICE,
    order: Order | None = None,
    period: tuple[datetime.date, datetime.date] | None = None,
    credited_invoice: Invoice | None = None,
    reason: str = "",
    customer_name: str = "",
    customer_country: str = "",
    issued_on: datetime.date | None = None,
) -> Invoice:
    """Issue one invoice or credit note to ``buyer``, in the caller's transaction."""
    if not lines:
        raise DomainError("An invoice has at least one line.", code="no_lines")
    if not connection.in_atomic_block:
        raise RuntimeError("invoices are issued inside the transaction of what they bill")
    issued_on = issued_on or timezone.localdate()
    if kind == Invoice.Kind.CREDIT_NOTE and credited_invoice is not None:
        # A credit note corrects its invoice: it carries that invoice's tax.
        treatment = credited_tax(credited_invoice)
    else:
        treatment = tax_treatment(
            seller_country=str(current_vendor().country),
            buyer_country=buyer.country,
            buyer_vat_valid=buyer.vat_number_valid,
            rates=tax_rates(),
        )
    usd_rate = usd_rate_on(currency=currency, day=issued_on)
    series = CREDIT_NOTE_SERIES if kind == Invoice.Kind.CREDIT_NOTE else INVOICE_SERIES
    number = invoice_number_next(series=series, year=issued_on.year)

    taxed = []
    for draft in lines:
        tax = percent_of(draft.net_amount, treatment.rate)
        taxed.append((draft, tax))
    gross = sum((d.gross_amount for d, _ in taxed), ZERO)
    net = sum((d.net_amount for d, _ in taxed), ZERO)
    tax_total = sum((t for _, t in taxed), ZERO)

    invoice = Invoice.objects.create(
        organisation=buyer.organisation,
        kind=kind,
        purpose=purpose,
        series=series,
        year=issued_on.year,
        number=number,
        reference=invoice_reference(series=series, year=issued_on.year, number=number),
        issued_on=issued_on,
        due_on=issued_on + datetime.timedelta(days=PAYMENT_TERM_DAYS),
        order=order,
        period_start=period[0] if period else None,
        period_end=period[1] if period else None,
        credited_invoice=credited_invoice,
        reason=reason,
        buyer_name=buyer.name,
        buyer_address=buyer.address,
        buyer_country=buyer.country,
        buyer_vat_number=buyer.vat_number,
        buyer_email=buyer.email,
        customer_name=customer_name,
        customer_country=customer_country,
        currency=currency,
        list_amount=sum((d.list_amount for d, _ in taxed), ZERO),
        charity_discount=sum((d.charity_discount for d, _ in taxed), ZERO),
        gross_amount=gross,
        partner_discount=sum((d.partner_discount for d, _ in taxed), ZERO),
        credit_applied=sum((d.credit_applied for d, _ in taxed), ZERO),
        net_amount=net,
        tax=tax_total,
        total=net + tax_total,
        tax_kind=treatment.kind,
        tax_rate=treatment.rate,
        tax_mention=treatment.mention,
        usd_rate=usd_rate,
        gross_usd=quantize_price(gross * usd_rate),
        created_by=actor if getattr(actor, "is_authenticated", False) else None,
    )
    InvoiceLine.objects.bulk_create(
        InvoiceLine(
            invoice=invoice,
            position=position,
            product_code=draft.product_code,
            description=draft.description[:250],
            quantity=draft.quantity,
            unit_price=draft.unit_price,
            list_amount=draft.list_amount,
            charity_discount=draft.charity_discount,
            gross_amount=draft.gross_amount,
            partner_discount_percent=draft.partner_discount_percent,
            partner_discount=draft.partner_discount,
            credit_applied=draft.credit_applied,
            net_amount=draft.net_amount,
            tax_rate=treatment.rate,
            tax=tax,
            total=draft.net_amount + tax,
        )
        for position, (draft, tax) in enumerate(taxed, 1)
    )
    InvoiceDocument.objects.create(organisation=buyer.organisation, invoice=invoice)
    audit_record(
        actor=actor,
        action="credit_note.issued" if kind == Invoice.Kind.CREDIT_NOTE else "invoice.issued",
        obj=invoice,
        organisation=buyer.organisation,
        after={
            "reference": invoice.reference,
            "order": order.reference if order else "",
            "credited_invoice": credited_invoice.reference if credited_invoice else "",
            "total": str(invoice.total),
            "currency": currency,
            "tax_kind": invoice.tax_kind,
            "gross_usd": str(invoice.gross_usd),
        },
        summary=f"{invoice.get_kind_display()} {invoice.reference} issued to {buyer.name}: "
        f"{invoice.total} {currency}",
    )
    invoice_issued_notify(invoice)
    return invoice


def credited_tax(invoice: Invoice) -> TaxTreatment:
    """The tax an invoice was issued with (what a credit note against it carries)."""
    return TaxTreatment(kind=invoice.tax_kind, rate=invoice.tax_rate, mention=invoice.tax_mention)


def invoice_issued_notify(invoice: Invoice) -> None:
    """Render the PDF after the commit (the email with it follows the render)."""
    from billing.tasks import render_invoice_pdf  # tasks import the services

    render_invoice_pdf.delay_on_commit(
        organisation_id=str(invoice.organisation_id), invoice_id=str(invoice.pk)
    )


def invoice_issue_for_order(
    *,
    order: Order,
    actor,
    purpose: str = Invoice.Purpose.ORDER,
    period_start: datetime.date | None = None,
) -> Invoice:
    """The order's invoice (a yearly order), or one period's (a monthly subscription), in
    the caller's transaction. Idempotent: issuing the same order and period again returns
    the first invoice."""
    start = period_start or timezone.localdate(order.created_at)
    period = period_of(start=start, billing_period=order.billing_period)
    existing = order_invoice(order=order, purpose=purpose, period_start=start)
    if existing is not None:
        return existing
    party = invoiced_party(order)
    two_tier = party.pk != order.organisation_id
    lines = order_line_drafts(order, two_tier=two_tier, period=period)
    buyer = buyer_of(party)
    try:
        # The context is a savepoint: a concurrent run of the same period loses cleanly.
        with tenant_context(party.pk, on_behalf_of=f"order:{order.reference}"):
            return invoice_issue(
                buyer=buyer,
                lines=lines,
                currency=order.currency,
                actor=actor,
                purpose=purpose,
                order=order,
                period=period,
                customer_name=order.customer_name,
                customer_country=str(order.customer_country),
            )
    except IntegrityError:
        existing = order_invoice(order=order, purpose=purpose, period_start=start)
        if existing is None:
            raise
        return existing


def order_invoice(*, order: Order, purpose: str, period_start: datetime.date) -> Invoice | None:
    party = invoiced_party(order)
    with tenant_context(party.pk, on_behalf_of=f"order:{order.reference}"):
        return Invoice.objects.filter(
            order=order, kind=Invoice.Kind.INVOICE, purpose=purpose, period_start=period_start
        ).first()
