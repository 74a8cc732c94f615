"""Placing orders (SPEC §3.5, §3.10): for a named end customer in the reseller space, or
for the partner's own use in the personal space; priced by the engine (or at a quote's
prices), each line fulfilled at once by licensing (an unbound licence ready to bind, or a
batch of single-use redemption codes).

The page, the API and a quote's conversion all call ``order_place`` / ``order_create``;
a distributor ordering for an attached reseller calls ``order_place_for_reseller``.

Idempotency: an ``Idempotency-Key`` is inserted first, in the order's transaction, under
a unique index. A second request with the same key waits on that index until the first
commits, then finds the key: the same body returns the first order, another body is
refused. A rolled-back order takes its key (and its reference number) with it.
"""

from __future__ import annotations

import datetime
import hashlib
import json
import secrets
from collections.abc import Callable
from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.utils import timezone

from billing.models import IdempotencyKey, Invoice, Order, OrderLine, RedemptionCode, Space
from billing.services.credits import credit_sale_record, credit_sale_request
from billing.services.documents import (
    priced_document_audit,
    priced_document_values,
    priced_line_values,
)
from billing.services.invoices import invoice_issue_for_order
from billing.services.pricing import price_sale
from billing.services.sale_input import sale_customer_validate, sale_request_build
from billing.services.two_tier import acting_for_reseller, attached_reseller
from deals.models import Deal
from deals.services.registrations import deal_mark_won, next_reference
from licensing.models import Licence
from licensing.services.licences import licence_issue
from partners import roles
from partners.models import Organisation
from portal.audit.services import audit_record
from portal.errors import Conflict, DomainError, Forbidden

NOT_A_BUYER = "Your role in your organisation does not allow placing orders."
MAX_KEY = 200
CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I


@dataclass(frozen=True)
class Placed:
    order: Order
    created: bool  # False: an earlier request with the same Idempotency-Key made it


def require_buyer_role(role: str | None) -> None:
    if role not in roles.BUY:
        raise Forbidden(NOT_A_BUYER, code="permission_denied")


def request_digest(data: dict) -> str:
    """The body's fingerprint for idempotency: canonical JSON (sorted keys)."""
    canonical = json.dumps(data, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(canonical.encode()).hexdigest()


def idempotency_key_clean(value: str | None) -> str:
    """The ``Idempotency-Key`` header's value, or "" without one (placing and converting a
    quote read it alike). A NUL byte would reach PostgreSQL: only printable keys."""
    key = (value or "").strip()
    if len(key) > MAX_KEY or not key.isprintable():
        raise DomainError(
            f"Idempotency-Key: at most {MAX_KEY} printable characters.", field="idempotency_key"
        )
    return key


def redemption_code() -> str:
    """``XXXX-XXXX-XXXX-XXXX``: 80 bits from the OS's generator."""
    raw = "".join(secrets.choice(CODE_ALPHABET) for _ in range(16))
    return "-".join(raw[i : i + 4] for i in range(0, 16, 4))


def _customer(*, organisation: Organisation, actor, space: str, data: dict) -> dict:
    if space == Space.PERSONAL:
        # The partner's own use: the partner is the customer.
        return {
            "customer_name": organisation.name,
            "customer_email": getattr(actor, "email", "") or "",
            "customer_country": str(organisation.country),
        }
    return sale_customer_validate(organisation=organisation, data=data)


def _fulfilments(data: dict) -> list[str]:
    lines = data.get("lines") or [{}]
    result = []
    for line in lines:
        fulfilment = line.get("fulfilment") or OrderLine.Fulfilment.LICENCE
        if fulfilment not in OrderLine.Fulfilment.values:
            raise DomainError("Fulfil a line as a licence or as codes.", field="fulfilment")
        if fulfilment == OrderLine.Fulfilment.LICENCE and line.get("copies", 1) != 1:
            raise DomainError(
                "Several copies of a line are sold as redemption codes (fulfilment: codes).",
                field="copies",
                code="copies_need_codes",
            )
        result.append(fulfilment)
    return result


#: The invoice each kind of order is billed with.
INVOICE_PURPOSES = {
    Order.Kind.NEW: Invoice.Purpose.ORDER,
    Order.Kind.UPGRADE: Invoice.Purpose.UPGRADE,
    Order.Kind.RENEWAL: Invoice.Purpose.RENEWAL,
}


def order_create(
    *,
    organisation: Organisation,
    actor,
    header: dict,
    lines: list[dict],
    fulfilments: list[str],
    deal: Deal | None,
    role: str | None,
    quote=None,
    placed_by_distributor: bool = False,
    kind: str = Order.Kind.NEW,
    licence: Licence | None = None,
    period_start: datetime.date | None = None,
) -> Order:
    """Write the order, its lines and what fulfils them, in the caller's transaction.
    ``header`` and ``lines`` are the stored values (from the engine, or from a quote).

    A new sale issues a licence per licence line; an upgrade or a renewal names the
    ``licence`` it changes (its service changes it) and is invoiced for the term from
    ``period_start`` (the renewal's, which starts when the current term ends)."""
    today = timezone.localdate()
    order = Order.objects.create(
        organisation=organisation,
        reference=next_reference(year=today.year, prefix="SO"),
        kind=kind,
        deal=deal,
        quote=quote,
        created_by=actor if getattr(actor, "is_authenticated", False) else None,
        placed_by_distributor=placed_by_distributor,
        **header,
    )
    licence_kind = Licence.Kind.NFR if order.space == Space.PERSONAL else Licence.Kind.CUSTOMER
    for values, fulfilment in zip(lines, fulfilments, strict=True):
        line = OrderLine.objects.create(order=order, fulfilment=fulfilment, **values)
        if licence is not None:
            line.licence = licence
            line.save(update_fields=["licence"])
        elif fulfilment == OrderLine.Fulfilment.LICENCE:
            line.licence = licence_issue(
                actor=actor,
                organisation=organisation,
                product=line.product,
                quantity=line.quantity,
                kind=licence_kind,
                plan=line.plan,
                starts_on=today,
                distributor=order.distributor,
                customer_name=order.customer_name,
                source=f"order {order.reference}",
                billing_period=order.billing_period,
            )
            line.save(update_fields=["licence"])
        else:
            RedemptionCode.objects.bulk_create(
                RedemptionCode(
                    organisation=organisation,
                    distributor=order.distributor,
                    line=line,
                    code=redemption_code(),
                )
                for _ in range(line.copies)
            )
    if deal is not None and deal.status == Deal.Status.APPROVED:
        deal_mark_won(deal=deal, actor=actor, role=role)
    invoice_issue_for_order(
        order=order, actor=actor, purpose=INVOICE_PURPOSES[kind], period_start=period_start
    )
    audit_record(
        actor=actor,
        action="order.placed",
        obj=order,
        organisation=organisation,
        after={
            **priced_document_audit(order),
            "kind": order.kind,
            "space": order.space,
            "deal": deal.reference if deal else "",
            "distributor": order.distributor.name if order.distributor else "",
            "quote": quote.reference if quote else "",
        },
        summary=f"Order {order.reference} placed: {order.customer_name}, "
        f"{order.total} {order.currency}",
    )
    notify_order_placed(order)
    return order


def notify_order_placed(order: Order) -> None:
    """Email the buyer's administrators after the commit (ids only)."""
    from billing.tasks import send_order_email  # tasks import the services

    send_order_email.delay_on_commit(
        organisation_id=str(order.organisation_id), order_id=str(order.pk), event="placed"
    )


def notify_order_paid(order: Order) -> None:
    """Tell the buyer, after the commit, that its order is paid and its licences released
    (programmes that hold them until payment)."""
    from billing.tasks import send_order_email  # tasks import the services

    send_order_email.delay_on_commit(
        organisation_id=str(order.organisation_id), order_id=str(order.pk), event="paid"
    )


def _place(
    *,
    organisation: Organisation,
    actor,
    role: str | None,
    data: dict,
    placed_by_distributor: bool,
) -> Order:
    sale = sale_request_build(organisation=organisation, data=data)
    customer = _customer(organisation=organisation, actor=actor, space=sale.space, data=data)
    fulfilments = _fulfilments(data)
    # The first-sale offer or the balance, read under the ledger lock held to the commit.
    sale = credit_sale_request(sale=sale, lock=True)
    pricing = price_sale(sale)
    header = {**priced_document_values(pricing), **customer}
    header["customer_nonprofit"] = sale.customer_nonprofit
    lines = [priced_line_values(line, position=i) for i, line in enumerate(pricing.lines, 1)]
    for values, line in zip(lines, pricing.lines, strict=True):
        values["copies"] = line.copies
    order = order_create(
        organisation=organisation,
        actor=actor,
        header=header,
        lines=lines,
        fulfilments=fulfilments,
        deal=sale.deal,
        role=role,
        placed_by_distributor=placed_by_distributor,
    )
    credit_sale_record(order=order, pricing=pricing, actor=actor)
    return order


def order_place(
    *,
    organisation: Organisation,
    actor,
    role: str | None,
    data: dict,
    idempotency_key: str = "",
    key_scope: str = "",
    placed_by_distributor: bool = False,
) -> Placed:
    """Place an order from ``data`` (the API's body: customer_name, customer_country,
    customer_email, billing_period, lines, space, deal, customer_nonprofit).
    ``key_scope`` keeps the keys of someone ordering for the organisation (a distributor)
    apart from the organisation's own."""
    require_buyer_role(role)
    return order_place_once(
        organisation=organisation,
        actor=actor,
        data=data,
        idempotency_key=idempotency_key,
        key_scope=key_scope,
        place=lambda: _place(
            organisation=organisation,
            actor=actor,
            role=role,
            data=data,
            placed_by_distributor=placed_by_distributor,
        ),
    )


def order_place_once(
    *,
    organisation: Organisation,
    actor,
    data: dict,
    idempotency_key: str,
    place: Callable[[], Order],
    key_scope: str = "",
) -> Placed:
    """Run ``place`` (which makes one order, in the transaction opened here) once per
    ``Idempotency-Key``: the same key and ``data`` again return the first order; the
    same key with other data is refused. Without a key, ``place`` simply runs."""
    key = idempotency_key_clean(idempotency_key)
    if not key:
        with transaction.atomic():
            return Placed(order=place(), created=True)

    key = f"{key_scope}:{key}" if key_scope else key
    digest = request_digest(data)
    with transaction.atomic():
        try:
            # Its own savepoint: only the key's insert may clash (another integrity
            # error of the order is not a replay and propagates).
            with transaction.atomic():
                record = IdempotencyKey.objects.create(
                    organisation=organisation,
                    key=key,
                    request_digest=digest,
                    created_by=actor if getattr(actor, "is_authenticated", False) else None,
                )
        except IntegrityError:
            record = None  # the same key committed first (we waited on its index entry)
        if record is not None:
            order = place()
            record.order = order
            record.save(update_fields=["order"])
            return Placed(order=order, created=True)
    return _replayed(organisation=organisation, key=key, digest=digest)


def _replayed(*, organisation: Organisation, key: str, digest: str) -> Placed:
    record = (
        IdempotencyKey.objects.owned_by(organisation)
        .select_related("order")
        .filter(key=key)
        .first()
    )
    if record is None or record.order is None:  # pragma: no cover - the winner committed
        raise Conflict("This Idempotency-Key is in use; retry.", code="idempotency_in_progress")
    if record.request_digest != digest:
        raise Conflict(
            "This Idempotency-Key was used with another request body: use a new key.",
            code="idempotency_key_reused",
        )
    return Placed(order=record.order, created=False)


def order_place_for_reseller(
    *,
    distributor: Organisation,
    reseller_id,
    actor,
    role: str | None,
    data: dict,
    idempotency_key: str = "",
) -> Placed:
    """A distributor orders for a reseller attached to it: the order is the reseller's
    (written in the reseller's context, the audit naming the distributor's user) and the
    distributor reads it, as any order placed through it."""
    require_buyer_role(role)
    reseller = attached_reseller(distributor=distributor, reseller_id=reseller_id)
    if data.get("space", Space.RESELLER) != Space.RESELLER:
        raise DomainError(
            "A distributor orders for a reseller's customer (the reseller space).",
            field="space",
        )
    with acting_for_reseller(distributor=distributor, reseller=reseller):
        return order_place(
            organisation=reseller,
            actor=actor,
            role=role,
            data=data,
            idempotency_key=idempotency_key,
            key_scope=f"distributor:{distributor.pk}",
            placed_by_distributor=True,
        )
