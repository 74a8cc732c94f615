"""Reading a partner's first-sale credit (billing.models.CreditEntry): what is left of
each earned entry, the balance per currency, and the ledger as the page and the API list
it. Every figure is a sum of the append-only ledger, in a constant number of queries."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import DecimalField, OuterRef, QuerySet, Subquery, Sum, Value
from django.db.models.functions import Coalesce
from django.utils import timezone

from billing.models import CreditEntry
from billing.money import ZERO
from partners.models import Organisation


def drawn_total() -> Coalesce:
    """What spends and expiries took from an earned entry (a correlated sum)."""
    drawn = (
        CreditEntry.objects.filter(source=OuterRef("pk"))
        .order_by()
        .values("source")
        .annotate(total=Sum("amount"))
        .values("total")
    )
    return Coalesce(
        Subquery(drawn, output_field=DecimalField(max_digits=14, decimal_places=2)),
        Value(ZERO),
        output_field=DecimalField(max_digits=14, decimal_places=2),
    )


def earned_entries(*, organisation) -> QuerySet[CreditEntry]:
    """The organisation's earned entries with ``remaining`` (what is left of each),
    soonest to expire first: the order spends consume them in."""
    return (
        CreditEntry.objects.owned_by(organisation)
        .filter(kind=CreditEntry.Kind.EARNED)
        .annotate(drawn_total=drawn_total())
        .order_by("expires_on", "created_at", "id")
    )


def spendable_entries(
    *, organisation: Organisation, currency: str, today: datetime.date | None = None
) -> list[CreditEntry]:
    """Earned entries of ``currency`` not yet expired with something left, soonest to
    expire first; each with ``remaining``."""
    today = today or timezone.localdate()
    found = []
    for entry in earned_entries(organisation=organisation).filter(
        currency=currency, expires_on__gt=today
    ):
        entry.remaining = entry.amount - entry.drawn_total
        if entry.remaining > 0:
            found.append(entry)
    return found


def credit_available(
    *, organisation: Organisation, currency: str, today: datetime.date | None = None
) -> Decimal:
    """The balance a sale in ``currency`` may spend today."""
    entries = spendable_entries(organisation=organisation, currency=currency, today=today)
    return sum((entry.remaining for entry in entries), ZERO)


@dataclass(frozen=True)
class Balance:
    currency: str
    amount: Decimal
    next_expiry: datetime.date | None  # when the soonest part of it expires
    next_expiry_amount: Decimal


def credit_balances(
    *, organisation: Organisation, today: datetime.date | None = None
) -> list[Balance]:
    """The spendable balance per currency (one query)."""
    today = today or timezone.localdate()
    by_currency: dict[str, list[CreditEntry]] = {}
    for entry in earned_entries(organisation=organisation).filter(expires_on__gt=today):
        remaining = entry.amount - entry.drawn_total
        if remaining > 0:
            entry.remaining = remaining
            by_currency.setdefault(entry.currency, []).append(entry)
    balances = []
    for currency, entries in sorted(by_currency.items()):
        first = entries[0]
        balances.append(
            Balance(
                currency=currency,
                amount=sum((entry.remaining for entry in entries), ZERO),
                next_expiry=first.expires_on,
                next_expiry_amount=first.remaining,
            )
        )
    return balances


def credit_entries(*, organisation: Organisation) -> QuerySet[CreditEntry]:
    """The ledger, newest first, with the order each entry names (one query a page)."""
    return (
        CreditEntry.objects.owned_by(organisation)
        .select_related("order")
        .order_by("-created_at", "-id")
    )


def credit_has_entries(*, organisation: Organisation) -> bool:
    return CreditEntry.objects.owned_by(organisation).exists()
