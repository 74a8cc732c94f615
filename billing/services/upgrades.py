"""Upgrades (SPEC §3.5): a partner moves a customer's yearly licence to a bigger plan (an
edition up: Essential to Essential+, Pro or Enterprise; or more hosts of a per-host
product), from today for a full term.

**The unused time becomes a credit.** Each invoice that paid for the licence's current
time (its last new sale or upgrade, and the renewals after it) is credited for the days
of its term not yet used: ``unused days / term days`` of its line, each amount prorated
(list, discounts, net), never more than is left uncredited on it. That credit note is
issued against that invoice, to the party it invoiced, and settled against the upgrade:
the upgrade order applies the same amount as credit (``credit_applied``, before tax, with
the credit note's tax; the engine's rule), so the order shows what the partner pays, and
its invoice bills the new plan in full, to be paid less the credit notes. In a two-tier
sale the vendor credits the distributor's invoice at the distributor's price, and the
reseller's order applies what it paid its distributor for the same days.

**The licence is upgraded in place** (licensing.services.plan_change): the customer keeps
its key, binding and machines; the licence takes the new plan and a new term from today,
and its history records the upgrade. (A vendor upgrades a subscription; it does not make
the customer redeem a second licence.)

An upgrade must cost more than the plan it replaces (its list price for a term, in US
dollars at today's rate) and more than the credit it brings. Refused with a clear reason
otherwise; nothing is written before every check has passed.
"""

from __future__ import annotations

import dataclasses
import datetime
from decimal import Decimal

from django.utils import timezone

from billing.models import Invoice, Order, OrderLine
from billing.money import ZERO, quantize_price
from billing.services.credit_notes import (
    credit_note_write,
    invoice_uncredited,
    line_prorated,
)
from billing.services.credits import credit_sale_record, credit_sale_request
from billing.services.documents import priced_document_values, priced_line_values
from billing.services.invoices import LineDraft, invoiced_party, usd_rate_on
from billing.services.licence_sales import (
    current_billing,
    last_sale,
    licence_is_open,
    licence_sales,
    next_sale,
    owned_customer_licence,
    sale_customer,
)
from billing.services.orders import Placed, order_create, order_place_once, require_buyer_role
from billing.services.pricing import Pricing, SaleRequest, price_sale, sale_currency
from billing.services.sale_input import sale_lines_validate
from licensing.models import Licence
from licensing.services.licences import default_term_end, lock_licence, term_days
from licensing.services.plan_change import licence_plan_change
from partners.models import Organisation
from portal.errors import DomainError, NotFound
from portal.formats import format_date
from portal.tenancy.context import tenant_context

NOT_AN_UPGRADE = "not_an_upgrade"


@dataclasses.dataclass(frozen=True)
class UnusedTime:
    """The days of a billed term the upgrade takes back, and their value."""

    invoice: Invoice  # the invoice that billed the term (credited)
    sale: OrderLine  # the order line it billed
    starts_on: datetime.date  # the term it billed
    ends_on: datetime.date
    unused_from: datetime.date
    unused_days: int
    term_days: int
    credit_line: LineDraft  # the credit note's line (the invoice's line, prorated)
    credit: Decimal  # what the partner paid for those days, in the sale's currency

    @property
    def two_tier(self) -> bool:
        return self.invoice.organisation_id != self.sale.order.organisation_id

    @property
    def description(self) -> str:
        return (
            f"Unused time of {self.sale.product_name} x {self.sale.quantity}: "
            f"{format_date(self.unused_from)} to {format_date(self.ends_on)}, "
            f"{self.unused_days} of {self.term_days} days"
        )


@dataclasses.dataclass(frozen=True)
class UpgradePlan:
    licence: Licence
    previous: OrderLine  # the licence's last sale
    unused: list[UnusedTime]
    credit: Decimal  # the unused time's value, in the sale's currency
    sale: SaleRequest
    pricing: Pricing
    starts_on: datetime.date
    ends_on: datetime.date

    @property
    def line(self):
        return self.pricing.lines[0]


def in_currency(amount: Decimal, *, currency: str, to: str, day: datetime.date) -> Decimal:
    """``amount`` of ``currency`` in ``to``, through the US dollar rates in force."""
    if currency == to:
        return amount
    usd = amount * usd_rate_on(currency=currency, day=day)
    return quantize_price(usd / usd_rate_on(currency=to, day=day))


def _invoice_of(order: Order) -> Invoice | None:
    """The invoice that billed ``order`` (the invoiced party's: a distributor's in a
    two-tier sale, read in its context), with its lines."""
    party = invoiced_party(order)
    with tenant_context(party.pk, on_behalf_of=f"order:{order.reference}"):
        invoice = (
            Invoice.objects.filter(order=order, kind=Invoice.Kind.INVOICE)
            .prefetch_related("lines")
            .order_by("issued_on", "number")
            .first()
        )
        if invoice is not None:
            invoice.uncredited = invoice_uncredited(invoice)
    return invoice


def _paid(line: OrderLine) -> Decimal:
    """What the partner paid for a line's term, before tax: its net, plus (an upgrade)
    the credit notes settled against it, which paid for part of it."""
    order = line.order
    return line.net_amount + (order.upgrade_credit if order.kind == Order.Kind.UPGRADE else ZERO)


def unused_time(
    *, sale: OrderLine, licence: Licence, currency: str, today: datetime.date
) -> UnusedTime | None:
    """The unused part of the term ``sale`` billed for ``licence``, or None (it has run
    out, or nothing of it is left to credit)."""
    invoice = _invoice_of(sale.order)
    if invoice is None or invoice.period_start is None or invoice.period_end < today:
        return None
    lines = {line.position: line for line in invoice.lines.all()}
    invoiced = lines.get(sale.position)
    if invoiced is None or invoiced.net_amount <= 0:
        return None
    unused_from = max(today, invoice.period_start)
    # Never beyond the licence's own end (the same day as the term's, as sold).
    unused_to = min(invoice.period_end, licence.ends_on)
    unused_days = max((unused_to - unused_from).days + 1, 0)
    days = term_days(invoice.period_start, invoice.period_end)
    fraction = Decimal(unused_days) / Decimal(days)
    # Never more than is left uncredited on the invoice (a correction may have taken some).
    if quantize_price(invoiced.net_amount * fraction) > invoice.uncredited:
        fraction = invoice.uncredited / invoiced.net_amount
    if fraction <= 0:
        return None
    unused = UnusedTime(
        invoice=invoice,
        sale=sale,
        starts_on=invoice.period_start,
        ends_on=invoice.period_end,
        unused_from=unused_from,
        unused_days=unused_days,
        term_days=days,
        credit_line=line_prorated(invoiced, fraction=fraction),
        credit=ZERO,
    )
    unused = dataclasses.replace(
        unused, credit_line=dataclasses.replace(unused.credit_line, description=unused.description)
    )
    # What the partner paid for those days: the credit note's own amount when the vendor
    # invoiced the partner; in a two-tier sale, its price from the distributor, prorated.
    paid = (
        quantize_price(_paid(sale) * fraction) if unused.two_tier else unused.credit_line.net_amount
    )
    credit = in_currency(paid, currency=sale.order.currency, to=currency, day=today)
    if unused.credit_line.net_amount <= 0 or credit <= 0:
        return None
    return dataclasses.replace(unused, credit=credit)


def upgrade_prepare(
    *,
    organisation: Organisation,
    licence: Licence,
    product: str,
    quantity,
    today: datetime.date | None = None,
    lock: bool = False,
) -> UpgradePlan:
    """Price the upgrade of ``licence`` to ``quantity`` of ``product`` (a code) and find
    the unused time it credits. Writes nothing; ``lock``: placing it, in its transaction."""
    today = today or timezone.localdate()
    owned_customer_licence(organisation=organisation, licence=licence)
    if not licence_is_open(licence, today=today):
        raise DomainError("This licence has ended: sell a new one.", code="licence_ended")
    (line,) = sale_lines_validate(
        organisation=organisation, lines=[{"product": product, "quantity": quantity}]
    )
    if line.product.pk == licence.product_id and line.quantity <= licence.quantity:
        raise DomainError(
            f"Choose another plan, or more {line.product.quantity_noun} than the licence's "
            f"{licence.quantity}.",
            field="quantity",
            code=NOT_AN_UPGRADE,
        )
    sales = licence_sales(licence)
    previous = last_sale(licence=licence, sales=sales)
    sale = next_sale(organisation=organisation, licence=licence, previous=previous, line=line)
    currency = sale_currency(sale)
    unused = [
        found
        for billed in current_billing(sales)
        if (found := unused_time(sale=billed, licence=licence, currency=currency, today=today))
        is not None
    ]
    credit = sum((found.credit for found in unused), ZERO)
    sale = dataclasses.replace(
        sale, upgrade_credit=credit, upgrade_credit_tax_rate=previous.tax_rate
    )
    sale = credit_sale_request(sale=sale, lock=lock, today=today)
    pricing = price_sale(sale)
    _check_bigger(previous=previous, pricing=pricing, today=today)
    if pricing.upgrade_credit < credit or pricing.total < 0:
        raise DomainError(
            f"The unused time of this licence ({credit} {currency}) is worth more than the "
            f"new plan costs you: choose a bigger plan.",
            field="product",
            code=NOT_AN_UPGRADE,
        )
    starts_on = today
    ends_on = default_term_end(
        kind=licence.kind,
        starts_on=starts_on,
        billing_period=licence.billing_period,
        programme=organisation.partner_type.programme,
    )
    return UpgradePlan(
        licence=licence,
        previous=previous,
        unused=unused,
        credit=credit,
        sale=sale,
        pricing=pricing,
        starts_on=starts_on,
        ends_on=ends_on,
    )


def _check_bigger(*, previous: OrderLine, pricing: Pricing, today: datetime.date) -> None:
    """The new plan's list price for a term is above the current one's (as it was last
    sold), compared in US dollars."""
    now = pricing.list_amount * usd_rate_on(currency=pricing.currency, day=today)
    before = previous.list_amount * usd_rate_on(currency=previous.order.currency, day=today)
    if now <= before:
        raise DomainError(
            f"An upgrade is to a bigger plan: {pricing.lines[0].product.name} x "
            f"{pricing.lines[0].quantity} lists at {pricing.list_amount} {pricing.currency} "
            f"a term, not more than the licence's {previous.list_amount} "
            f"{previous.order.currency}.",
            field="product",
            code=NOT_AN_UPGRADE,
        )


def upgrade_preview(
    *, organisation: Organisation, licence: Licence, product: str, quantity
) -> UpgradePlan:
    return upgrade_prepare(
        organisation=organisation, licence=licence, product=product, quantity=quantity
    )


def licence_upgrade(
    *,
    organisation: Organisation,
    actor,
    role: str | None,
    licence_id,
    product: str,
    quantity,
    idempotency_key: str = "",
    today: datetime.date | None = None,
) -> Placed:
    """Place the upgrade: its order (kind upgrade, invoiced with purpose upgrade), the
    credit notes of the unused time, the licence's new plan and the balance spent, in one
    transaction. An ``Idempotency-Key`` makes a retry return the first order. ``today``:
    the day it takes effect (today; ``seed_demo`` and tests set it)."""
    require_buyer_role(role)
    return order_place_once(
        organisation=organisation,
        actor=actor,
        data={"upgrade": str(licence_id), "product": product, "quantity": quantity},
        idempotency_key=idempotency_key,
        place=lambda: _upgrade(
            organisation=organisation,
            actor=actor,
            role=role,
            licence_id=licence_id,
            product=product,
            quantity=quantity,
            today=today,
        ),
    )


def locked_licence(*, organisation: Organisation, licence_id) -> Licence:
    """The partner's licence, row-locked for the change (404 when not its own)."""
    try:
        licence = lock_licence(licence_id)
    except (Licence.DoesNotExist, ValueError):
        raise NotFound("No such licence of yours.") from None
    if licence.organisation_id != organisation.pk:
        raise NotFound("No such licence of yours.")
    return licence


def _upgrade(*, organisation, actor, role, licence_id, product, quantity, today) -> Order:
    licence = locked_licence(organisation=organisation, licence_id=licence_id)
    plan = upgrade_prepare(
        organisation=organisation,
        licence=licence,
        product=product,
        quantity=quantity,
        lock=True,
        today=today,
    )
    pricing = plan.pricing
    header = {
        **priced_document_values(pricing),
        **sale_customer(licence=licence, previous=plan.previous),
        "upgrade_credit": pricing.upgrade_credit,
    }
    values = priced_line_values(plan.line, position=1)
    order = order_create(
        organisation=organisation,
        actor=actor,
        header=header,
        lines=[values],
        fulfilments=[OrderLine.Fulfilment.LICENCE],
        deal=plan.sale.deal,
        role=role,
        kind=Order.Kind.UPGRADE,
        licence=licence,
        period_start=plan.starts_on,
    )
    for unused in plan.unused:
        credit_note_write(
            actor=actor,
            invoice=unused.invoice,
            reason=f"Upgrade {order.reference}: {unused.description}",
            lines=[unused.credit_line],
            order=order,
            purpose=Invoice.Purpose.UPGRADE,
        )
    licence_plan_change(
        actor=actor,
        licence_id=licence.pk,
        product=plan.line.product,
        plan=plan.line.plan,
        quantity=plan.line.quantity,
        starts_on=plan.starts_on,
        ends_on=plan.ends_on,
        reason=f"Upgraded by order {order.reference}",
    )
    credit_sale_record(order=order, pricing=pricing, actor=actor, today=today)
    return order
