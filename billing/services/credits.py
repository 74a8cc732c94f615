"""The first-sale credit (SPEC §3.5, the Xen Orchestra programme's ``first_sale_credit``).

* **Earned**: a partner's first customer sale (the reseller space, bought directly from
  the vendor, billed yearly) is priced at list by the engine (``SaleRequest.first_sale``);
  the discount it would have had is earned, spendable for ``CREDIT_MONTHS`` months.
* **Spent**: each later customer sale (a new sale, an upgrade, a renewal) spends the
  balance in its currency on top of the standard discount (``credit_available``; the
  engine applies it, up to the line's price), soonest-expiring credit first.
* **Quoted**: a quote that would be the partner's first sale is priced as one (list
  price, the discount kept on its lines as ``credited_discount``); converting it earns
  the credit, under the ledger lock, while it is still the first sale, and is refused
  once another sale came first (a new quote then has the discount). A quote never spends
  the balance: its order copies the quoted amounts.
* **Expired**: what is left of an earned entry on its ``expires_on`` leaves the balance
  with an ``expired`` entry (the daily job billing.expire_credits; idempotent).

The balance never goes below zero, however many orders are placed at once: the balance is
read and spent under the partner's ledger lock (a transaction-level advisory lock), taken
in the order's transaction before the sale is priced, so a second order waits for the
first to commit and then prices with what is left.

Not covered: a sale through a distributor (two-tier: the distributor sells to the
reseller), the personal space (list price, no discount to credit), monthly subscriptions
(each period is billed from the order's lines: a one-off list price or credit cannot
follow them).
"""

from __future__ import annotations

import dataclasses
import datetime
import logging
from decimal import Decimal

from django.db import connection
from django.db.models import F
from django.utils import timezone

from billing.models import CreditEntry, Order, Space
from billing.money import ZERO
from billing.selectors.credits import (
    credit_available,
    credit_has_entries,
    drawn_total,
    earned_entries,
    spendable_entries,
)
from billing.services.pricing import Pricing, SaleRequest, sale_currency
from licensing.models import BillingPeriod
from licensing.services.licences import add_months
from partners.models import Organisation
from portal.audit.services import audit_record
from portal.errors import Conflict
from portal.tenancy.context import tenant_context

logger = logging.getLogger(__name__)

#: How long earned credit may be spent.
CREDIT_MONTHS = 12


def credit_lock(organisation_id) -> None:
    """The partner's ledger lock, held until the caller's transaction ends: reading the
    balance and spending it happen under it, so concurrent sales spend it one at a time.
    A transaction-level advisory lock: no row to create, released by the commit."""
    if not connection.in_atomic_block:
        raise RuntimeError("the credit ledger is locked inside the transaction that writes it")
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pg_advisory_xact_lock(hashtextextended(%s, 0))",
            [f"billing.credit-ledger:{organisation_id}"],
        )


def _offered(sale: SaleRequest) -> bool:
    """Whether the first-sale offer can apply to this sale at all."""
    return (
        sale.space == Space.RESELLER
        and sale.organisation.distributor_id is None
        and sale.billing_period == BillingPeriod.YEARLY
    )


def is_first_sale(*, organisation: Organisation) -> bool:
    """The programme offers it and the partner has made no customer sale yet (nor earned
    the credit already)."""
    if not organisation.partner_type.programme.first_sale_credit:
        return False
    earned = CreditEntry.objects.owned_by(organisation).filter(kind=CreditEntry.Kind.EARNED)
    sold = Order.objects.owned_by(organisation).filter(space=Space.RESELLER)
    return not earned.exists() and not sold.exists()


def credit_sale_request(
    *, sale: SaleRequest, lock: bool = False, today: datetime.date | None = None
) -> SaleRequest:
    """``sale`` with what it may have of the first-sale offer: the first-sale flag, or
    the balance it may spend. ``lock``: placing the order, in its transaction (the ledger
    lock is taken first and held to the commit); without it, a preview."""
    if not _offered(sale):
        return sale
    organisation = sale.organisation
    offered = organisation.partner_type.programme.first_sale_credit
    if not offered and not credit_has_entries(organisation=organisation):
        # No credit can exist (only a first sale earns it): no lock needed either.
        return sale
    if lock:
        credit_lock(organisation.pk)
    if is_first_sale(organisation=organisation):
        return dataclasses.replace(sale, first_sale=True, credit_available=ZERO)
    available = credit_available(
        organisation=organisation, currency=sale_currency(sale), today=today
    )
    return dataclasses.replace(sale, credit_available=available)


def credit_quote_request(*, sale: SaleRequest) -> SaleRequest:
    """``sale`` as a quote prices it: the first-sale flag when the quote would be the
    partner's first sale, never the balance (a quote spends nothing: the conversion
    copies its amounts; the balance goes to orders placed directly)."""
    if _offered(sale) and is_first_sale(organisation=sale.organisation):
        return dataclasses.replace(sale, first_sale=True, credit_available=ZERO)
    return sale


def credit_sale_record(
    *, order: Order, pricing: Pricing, actor, today: datetime.date | None = None
) -> list[CreditEntry]:
    """Write what the order earned or spent, in its transaction (under the ledger lock
    ``credit_sale_request(lock=True)`` took)."""
    today = today or timezone.localdate()
    entries = []
    if pricing.credited_discount > 0:
        entries.append(
            credit_earn(order=order, amount=pricing.credited_discount, actor=actor, today=today)
        )
    if pricing.balance_credit > 0:
        entries.extend(
            credit_spend(
                organisation=order.organisation,
                amount=pricing.balance_credit,
                currency=order.currency,
                actor=actor,
                order=order,
                today=today,
            )
        )
    return entries


def credit_earn(
    *, order: Order, amount: Decimal, actor, today: datetime.date | None = None
) -> CreditEntry:
    """Credit a first sale's discount to the partner's balance for ``CREDIT_MONTHS``, in
    the order's transaction (under the ledger lock)."""
    today = today or timezone.localdate()
    entry = CreditEntry.objects.create(
        organisation=order.organisation,
        kind=CreditEntry.Kind.EARNED,
        amount=amount,
        currency=order.currency,
        expires_on=add_months(today, CREDIT_MONTHS),
        order=order,
        created_by=actor if getattr(actor, "is_authenticated", False) else None,
    )
    audit_record(
        actor=actor,
        action="credit.earned",
        obj=entry,
        organisation=order.organisation_id,
        after={
            "order": order.reference,
            "amount": str(entry.amount),
            "currency": entry.currency,
            "expires_on": entry.expires_on.isoformat(),
        },
        summary=f"First sale {order.reference}: {entry.amount} {entry.currency} credited, "
        f"spendable before {entry.expires_on:%d %b %Y}",
    )
    return entry


def credit_spend(
    *,
    organisation: Organisation,
    amount,
    currency: str,
    actor,
    order: Order | None = None,
    today: datetime.date | None = None,
) -> list[CreditEntry]:
    """Take ``amount`` of the balance in ``currency``, soonest-expiring credit first (one
    entry per earned entry drawn on), in the caller's transaction, under the ledger lock
    the caller took before it read the balance (``credit_sale_request(lock=True)``).
    More than the balance is a conflict, and nothing is written."""
    if not connection.in_atomic_block:
        raise RuntimeError("credit is spent inside the transaction of the sale")
    today = today or timezone.localdate()
    left = amount
    entries = []
    for source in spendable_entries(organisation=organisation, currency=currency, today=today):
        if left <= 0:
            break
        take = min(left, source.remaining)
        entries.append(
            CreditEntry(
                organisation=organisation,
                kind=CreditEntry.Kind.SPENT,
                amount=take,
                currency=currency,
                order=order,
                source=source,
                created_by=actor if getattr(actor, "is_authenticated", False) else None,
            )
        )
        left -= take
    if left > 0:
        raise Conflict(
            "Your credit balance changed while this order was placed: preview it again.",
            code="credit_balance_changed",
        )
    CreditEntry.objects.bulk_create(entries)
    what = f" on {order.reference}" if order is not None else ""
    audit_record(
        actor=actor,
        action="credit.spent",
        obj=entries[0],
        organisation=organisation.pk,
        after={
            "order": order.reference if order is not None else "",
            "amount": str(amount),
            "currency": currency,
        },
        summary=f"{amount} {currency} of first-sale credit spent{what}",
    )
    return entries


# --- expiry ----------------------------------------------------------------------------


def credits_expire(*, today: datetime.date | None = None) -> int:
    """Expire what is left of every earned entry whose ``expires_on`` has come, for every
    partner (the job's system context lists them; each partner's entries are written in
    its own context, under its ledger lock). Returns how many entries expired; a second
    run finds nothing left (and the database refuses a second expiry of one entry)."""
    today = today or timezone.localdate()
    organisation_ids = (
        CreditEntry.objects.filter(kind=CreditEntry.Kind.EARNED, expires_on__lte=today)
        .annotate(drawn_total=drawn_total())
        .filter(amount__gt=F("drawn_total"))
        .order_by("organisation_id")
        .values_list("organisation_id", flat=True)
        .distinct()
    )
    expired = 0
    for organisation_id in list(organisation_ids):
        with tenant_context(organisation_id, on_behalf_of="task:billing.expire_credits"):
            expired += _expire_for(organisation_id=organisation_id, today=today)
    if expired:
        logger.info("credits: %s earned entries expired", expired)
    return expired


def _expire_for(*, organisation_id, today: datetime.date) -> int:
    credit_lock(organisation_id)
    count = 0
    for source in earned_entries(organisation=organisation_id).filter(expires_on__lte=today):
        remaining = source.amount - source.drawn_total
        if remaining <= 0:
            continue
        entry = CreditEntry.objects.create(
            organisation_id=organisation_id,
            kind=CreditEntry.Kind.EXPIRED,
            amount=remaining,
            currency=source.currency,
            source=source,
        )
        audit_record(
            actor=None,
            action="credit.expired",
            obj=entry,
            organisation=organisation_id,
            after={"amount": str(remaining), "currency": source.currency},
            summary=f"{remaining} {source.currency} of first-sale credit expired "
            f"(earned on {source.created_at:%d %b %Y}, spendable before "
            f"{source.expires_on:%d %b %Y})",
        )
        count += 1
    return count
