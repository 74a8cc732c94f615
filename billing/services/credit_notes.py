"""Credit notes (SPEC §3.10): an issued invoice never changes; what corrects it is a credit
note, an ``Invoice`` of kind ``credit_note`` in its own series, naming the invoice it
credits, issued to the same party with the same identity and tax as that invoice.

* ``credit_note_issue``: the channel team's correction (permission
  ``billing.issue_credit_notes``): the whole invoice (what is left of it), an amount
  spread over its lines, or lines of its own.
* ``credit_note_write``: the same without the permission check, for the services that
  credit an invoice as part of a sale (an upgrade credits the unused time of the licence it
  replaces: billing.services.upgrades); ``order`` is then the order it is settled against.

An invoice is never credited beyond what is left of it: the invoice's row is locked
(``SELECT ... FOR UPDATE``, not an update: the row stays as issued) while what its credit
notes already took is summed and the new one written, so two credit notes at once cannot
both take the last of it. Amounts compare before tax (both carry the invoice's tax).

A credited line keeps its structure, prorated: list, charity discount, partner discount
and credit each scaled and rounded to the cent, so a credit note takes back gross (what
counts for the tiers, SPEC §3.4) in proportion to what it takes back net.
"""

from __future__ import annotations

import dataclasses
import datetime
from collections.abc import Iterable
from decimal import Decimal

from django.db.models import Sum

from billing.models import Invoice, InvoiceLine, Order
from billing.money import ZERO, quantize_price
from billing.services.invoices import Buyer, LineDraft, invoice_issue
from billing.tax import TaxKind
from portal.errors import DomainError, Forbidden
from portal.tenancy.context import tenant_context

PERMISSION = "billing.issue_credit_notes"
UNIT_PRICE_PLACES = Decimal("0.0001")


def invoice_credited(invoice: Invoice) -> Decimal:
    """What the credit notes against ``invoice`` took, before tax."""
    total = Invoice.objects.filter(
        credited_invoice=invoice, kind=Invoice.Kind.CREDIT_NOTE
    ).aggregate(total=Sum("net_amount"))["total"]
    return total or ZERO


def invoice_uncredited(invoice: Invoice) -> Decimal:
    """What is left of ``invoice`` to credit, before tax."""
    return invoice.net_amount - invoice_credited(invoice)


def buyer_of_invoice(invoice: Invoice) -> Buyer:
    """The party ``invoice`` was issued to, as it was then (a credit note repeats it)."""
    return Buyer(
        organisation=invoice.organisation,
        name=invoice.buyer_name,
        address=invoice.buyer_address,
        country=str(invoice.buyer_country),
        vat_number=invoice.buyer_vat_number,
        vat_number_valid=invoice.tax_kind == TaxKind.REVERSE_CHARGE,
        email=invoice.buyer_email,
    )


# --- prorating -----------------------------------------------------------------------------


def line_prorated(line: InvoiceLine, *, fraction: Decimal, description: str = "") -> LineDraft:
    """``fraction`` (0 to 1) of an invoice line: each amount scaled and rounded."""
    list_amount = quantize_price(line.list_amount * fraction)
    quantity = line.quantity
    return LineDraft(
        product_code=line.product_code,
        description=description or f"Credit: {line.description}",
        quantity=quantity,
        unit_price=(list_amount / quantity).quantize(UNIT_PRICE_PLACES) if quantity else ZERO,
        list_amount=list_amount,
        charity_discount=quantize_price(line.charity_discount * fraction),
        partner_discount_percent=line.partner_discount_percent,
        partner_discount=quantize_price(line.partner_discount * fraction),
        credit_applied=quantize_price(line.credit_applied * fraction),
    )


def lines_prorated(lines: Iterable[InvoiceLine], *, net: Decimal) -> list[LineDraft]:
    """Credit ``net`` (before tax) spread over ``lines`` in proportion to their net; the
    last line takes the cents the rounding left, so the drafts' net is exactly ``net``."""
    lines = [line for line in lines if line.net_amount > 0]
    total = sum((line.net_amount for line in lines), ZERO)
    if not lines or total <= 0:
        raise DomainError("Nothing on this invoice can be credited.", code="nothing_to_credit")
    fraction = net / total
    drafts = [line_prorated(line, fraction=fraction) for line in lines]
    gap = net - sum((draft.net_amount for draft in drafts), ZERO)
    if gap:
        last = drafts[-1]
        drafts[-1] = dataclasses.replace(last, list_amount=last.list_amount + gap)
    return drafts


# --- issuing -------------------------------------------------------------------------------


def credit_note_issue(
    *,
    actor,
    invoice: Invoice,
    reason: str,
    lines: list[LineDraft] | None = None,
    amount: Decimal | None = None,
    issued_on: datetime.date | None = None,
) -> Invoice:
    """The channel team credits ``invoice``: ``lines`` of their own, or ``amount`` (before
    tax) spread over the invoice's lines, or (neither) all that is left of it."""
    if not getattr(actor, "has_perm", None) or not actor.has_perm(PERMISSION):
        raise Forbidden("Issuing credit notes needs the permission to.", code="permission_denied")
    return credit_note_write(
        actor=actor,
        invoice=invoice,
        reason=reason,
        lines=lines,
        amount=amount,
        purpose=Invoice.Purpose.CORRECTION,
        issued_on=issued_on,
    )


def credit_note_write(
    *,
    actor,
    invoice: Invoice,
    reason: str,
    lines: list[LineDraft] | None = None,
    amount: Decimal | None = None,
    order: Order | None = None,
    purpose: str = Invoice.Purpose.CORRECTION,
    issued_on: datetime.date | None = None,
) -> Invoice:
    """Issue a credit note against ``invoice`` (see the module's docstring), in the
    invoice owner's context and the caller's transaction."""
    reason = (reason or "").strip()
    if not reason:
        raise DomainError("Say why the invoice is credited.", field="reason", code="required")
    if lines is not None and amount is not None:
        raise DomainError("Credit lines or an amount, not both.", field="amount")
    with tenant_context(invoice.organisation_id, on_behalf_of=f"credit-note:{invoice.reference}"):
        locked = (
            Invoice.objects.select_for_update(of=("self",))
            .select_related("organisation")
            .get(pk=invoice.pk)
        )
        if locked.kind != Invoice.Kind.INVOICE:
            raise DomainError("A credit note credits an invoice.", code="not_an_invoice")
        left = invoice_uncredited(locked)
        if left <= 0:
            raise DomainError(
                f"{locked.reference} is already credited in full.", code="fully_credited"
            )
        if lines is None:
            if amount is None:
                amount = left
            if amount <= 0:
                raise DomainError("Credit a positive amount.", field="amount", code="invalid")
            if amount > left:
                raise DomainError(
                    f"At most {left} {locked.currency} is left to credit on "
                    f"{locked.reference} (before tax).",
                    field="amount",
                    code="more_than_left",
                )
            lines = lines_prorated(locked.lines.all(), net=quantize_price(amount))
        net = sum((draft.net_amount for draft in lines), ZERO)
        if net <= 0 or any(draft.net_amount < 0 for draft in lines):
            raise DomainError("Credit a positive amount.", field="amount", code="invalid")
        if net > left:
            raise DomainError(
                f"At most {left} {locked.currency} is left to credit on {locked.reference} "
                "(before tax).",
                field="amount",
                code="more_than_left",
            )
        return invoice_issue(
            buyer=buyer_of_invoice(locked),
            lines=lines,
            currency=locked.currency,
            actor=actor,
            purpose=purpose,
            kind=Invoice.Kind.CREDIT_NOTE,
            order=order,
            credited_invoice=locked,
            reason=reason[:250],
            customer_name=locked.customer_name,
            customer_country=str(locked.customer_country or ""),
            issued_on=issued_on,
        )
