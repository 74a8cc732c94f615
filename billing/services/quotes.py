"""Quotes (SPEC §3.10, the Xen Orchestra seed): a sale priced in the reseller space for a
named end customer, valid until a date, rendered to two PDFs by a Celery task (the
partner's copy with its discount, the customer's without), sent to the customer to sign
through a link, and converted into one order at its quoted prices while valid.

Every amount is stored when the quote is made; the conversion copies them (never prices
again), so a later change of the programme's discounts or the catalogue changes nothing.
Signing is in billing.services.quote_signature; rendering in billing.services.quote_pdfs.
"""

from __future__ import annotations

import datetime
import uuid

from django.db import transaction
from django.utils import timezone

from billing.models import IdempotencyKey, OrderLine, Quote, QuoteLine, Space
from billing.money import ZERO
from billing.services.credits import (
    credit_earn,
    credit_lock,
    credit_quote_request,
    is_first_sale,
)
from billing.services.documents import (
    COPIED_LINE_FIELDS,
    PRICED_AMOUNT_FIELDS,
    priced_document_audit,
    priced_document_values,
    priced_line_values,
)
from billing.services.orders import (
    Placed,
    idempotency_key_clean,
    order_create,
    request_digest,
    require_buyer_role,
)
from billing.services.pricing import price_sale
from billing.services.sale_input import sale_customer_validate, sale_request_build
from deals.services.registrations import next_reference
from partners.models import Organisation
from portal.audit.services import audit_record
from portal.errors import Conflict, DomainError

MAX_NOTES = 2000

#: The header values a quote hands to the order made from it (with COPIED_LINE_FIELDS).
COPIED_HEADER_FIELDS = [
    "space",
    "billing_period",
    "currency",
    "engagement_model",
    "customer_name",
    "customer_country",
    "customer_email",
    "customer_nonprofit",
    *PRICED_AMOUNT_FIELDS,
    "distributor",
    "distributor_discount",
    "distributor_net",
    "distributor_tax",
    "distributor_total",
]

#: A quote can still change (be sent, signed, ordered, cancelled) in these statuses.
LIVE = (Quote.Status.OPEN, Quote.Status.SENT, Quote.Status.SIGNED)


def quote_is_expired(quote: Quote, *, today: datetime.date | None = None) -> bool:
    return quote.valid_until < (today or timezone.localdate())


def quote_valid_until(*, organisation: Organisation, requested) -> datetime.date:
    """The programme's validity from today, or the partner's earlier date (never later,
    never in the past)."""
    today = timezone.localdate()
    latest = today + datetime.timedelta(
        days=organisation.partner_type.programme.quote_validity_days
    )
    if requested in (None, ""):
        return latest
    if isinstance(requested, str):
        try:
            requested = datetime.date.fromisoformat(requested)
        except ValueError:
            raise DomainError("Give a date (YYYY-MM-DD).", field="valid_until") from None
    if requested < today:
        raise DomainError(
            "A quote cannot be valid until a day already past.",
            field="valid_until",
            code="valid_until_past",
        )
    if requested > latest:
        raise DomainError(
            f"Your programme's quotes are valid at most until {latest.isoformat()}.",
            field="valid_until",
            code="valid_until_too_late",
        )
    return requested


def quote_create(*, organisation: Organisation, actor, role: str | None, data: dict) -> Quote:
    """A quote for a named end customer from ``data`` (the API's body: customer_name,
    customer_country, customer_email, billing_period, lines, deal, customer_nonprofit,
    valid_until, notes), priced by the engine; its PDFs are queued after the commit."""
    require_buyer_role(role)
    if (data.get("space") or Space.RESELLER) != Space.RESELLER:
        raise DomainError(
            "Quotes are for a customer's purchase (the reseller space).",
            field="space",
            code="quote_in_personal_space",
        )
    sale = sale_request_build(organisation=organisation, data={**data, "space": Space.RESELLER})
    customer = sale_customer_validate(organisation=organisation, data=data)
    valid_until = quote_valid_until(organisation=organisation, requested=data.get("valid_until"))
    notes = str(data.get("notes") or "").strip()
    if len(notes) > MAX_NOTES:
        raise DomainError(f"Notes: at most {MAX_NOTES} characters.", field="notes")
    # Priced as the partner's first sale when it would be one (billing.services.credits).
    pricing = price_sale(credit_quote_request(sale=sale))
    with transaction.atomic():
        quote = Quote.objects.create(
            organisation=organisation,
            reference=next_reference(year=timezone.localdate().year, prefix="QT"),
            deal=sale.deal,
            valid_until=valid_until,
            notes=notes,
            customer_nonprofit=sale.customer_nonprofit,
            created_by=actor if getattr(actor, "is_authenticated", False) else None,
            **priced_document_values(pricing),
            **customer,
        )
        QuoteLine.objects.bulk_create(
            QuoteLine(
                quote=quote,
                credited_discount=line.credited_discount,
                **priced_line_values(line, position=i),
            )
            for i, line in enumerate(pricing.lines, 1)
        )
        audit_record(
            actor=actor,
            action="quote.created",
            obj=quote,
            organisation=organisation,
            after={
                **priced_document_audit(quote),
                "valid_until": quote.valid_until,
                "deal": sale.deal.reference if sale.deal else "",
            },
            summary=f"Quote {quote.reference} for {quote.customer_name}: "
            f"{quote.total} {quote.currency}, valid until {quote.valid_until}",
        )
        quote_queue_render(quote)
    return quote


def quote_queue_render(quote: Quote) -> None:
    from billing.tasks import render_quote_pdf  # tasks import the services

    render_quote_pdf.delay_on_commit(
        organisation_id=str(quote.organisation_id), quote_id=str(quote.pk)
    )


def _locked(quote: Quote) -> Quote:
    """The quote's row, locked until the transaction ends (the owner's only: a distributor
    reads a quote placed through it and never changes it)."""
    return (
        Quote.objects.owned_by(quote.organisation_id)
        .select_for_update(of=("self",))
        .select_related("organisation__partner_type", "deal", "distributor")
        .get(pk=quote.pk)
    )


def _require_live(quote: Quote, *, doing: str) -> None:
    if quote.status == Quote.Status.ORDERED:
        raise Conflict(
            f"This quote is already ordered: it cannot be {doing}.", code="quote_ordered"
        )
    if quote.status == Quote.Status.CANCELLED:
        raise Conflict(f"This quote is cancelled: it cannot be {doing}.", code="quote_cancelled")
    if quote_is_expired(quote):
        raise Conflict(
            f"This quote expired on {quote.valid_until.isoformat()}: make a new one.",
            code="quote_expired",
        )


def quote_change(
    *,
    quote: Quote,
    actor,
    action: str,
    changes: dict,
    summary: str,
    note: dict | None = None,
    ip: str | None = None,
) -> Quote:
    """The one writer of a quote's state: apply ``changes`` (field: value), save those
    fields, and record before/after (plus ``note``, e.g. the order made) in the audit
    trail, in the caller's transaction (the quote locked by it)."""
    before = {name: getattr(quote, name) for name in changes}
    for name, value in changes.items():
        setattr(quote, name, value)
    quote.save(update_fields=list(changes))
    audit_record(
        actor=actor,
        action=action,
        obj=quote,
        organisation=quote.organisation_id,
        before=before,
        after={**changes, **(note or {})},
        summary=summary,
        ip=ip,
    )
    return quote


def quote_send_to_customer(*, quote: Quote, actor, role: str | None) -> Quote:
    """Email the end customer a link to the customer-facing quote to sign. Sending again
    re-sends the same link; the link is made by the email task from the quote's id."""
    require_buyer_role(role)
    with transaction.atomic():
        quote = _locked(quote)
        _require_live(quote, doing="sent")
        if quote.status == Quote.Status.SIGNED:
            raise Conflict("The customer has already signed this quote.", code="quote_signed")
        quote_change(
            quote=quote,
            actor=actor,
            action="quote.sent",
            changes={
                # Sending again re-sends the same link.
                "signature_token": quote.signature_token or uuid.uuid4(),
                "status": Quote.Status.SENT,
                "sent_at": timezone.now(),
            },
            note={"to": quote.customer_email},
            summary=f"Quote {quote.reference} sent to {quote.customer_email} for signature",
        )
        from billing.tasks import send_quote_email

        send_quote_email.delay_on_commit(
            organisation_id=str(quote.organisation_id), quote_id=str(quote.pk), event="signature"
        )
    return quote


def quote_cancel(*, quote: Quote, actor, role: str | None) -> Quote:
    require_buyer_role(role)
    with transaction.atomic():
        quote = _locked(quote)
        if quote.status not in LIVE:
            raise Conflict(
                f"This quote is {quote.get_status_display().lower()}: it cannot be cancelled.",
                code=f"quote_{quote.status}",
            )
        quote_change(
            quote=quote,
            actor=actor,
            action="quote.cancelled",
            changes={"status": Quote.Status.CANCELLED},
            summary=f"Quote {quote.reference} cancelled",
        )
    return quote


def _key_record(*, quote: Quote, key: str, digest: str) -> IdempotencyKey | None:
    record = IdempotencyKey.objects.owned_by(quote.organisation_id).filter(key=key).first()
    if record is not None and record.request_digest != digest:
        raise Conflict(
            "This Idempotency-Key was used with another request: use a new key.",
            code="idempotency_key_reused",
        )
    return record


def _first_sale_check(quote: Quote) -> None:
    """A quote priced as the partner's first sale (a discount credited) still is one:
    checked under the ledger lock, held to the commit, as an order placed directly."""
    credit_lock(quote.organisation_id)
    if not is_first_sale(organisation=quote.organisation):
        raise Conflict(
            f"Quote {quote.reference} was priced as your first sale (list price, its discount "
            "credited to your balance), and another sale has been your first since: make a "
            "new quote, which has your discount.",
            code="first_sale_quote_outdated",
        )


def quote_convert(*, quote: Quote, actor, role: str | None, idempotency_key: str = "") -> Placed:
    """One order at the quote's prices. The quote's row is locked first, so of two
    conversions at the same moment the second waits and then finds it ordered: refused,
    or, with the same ``Idempotency-Key``, answered with the first one's order."""
    require_buyer_role(role)
    key = idempotency_key_clean(idempotency_key)
    digest = request_digest({"convert_quote": str(quote.pk)})
    with transaction.atomic():
        quote = _locked(quote)
        record = _key_record(quote=quote, key=key, digest=digest) if key else None
        if record is not None and record.order_id is not None:
            return Placed(order=record.order, created=False)
        _require_live(quote, doing="ordered")
        partner_type = quote.organisation.partner_type
        if partner_type.requires_customer_quote_signature and quote.signed_at is None:
            raise Conflict(
                f"Your programme requires the customer's signature before a {partner_type.name} "
                "orders: send the quote to the customer and convert it once signed.",
                code="signature_required",
            )
        quoted = list(quote.lines.select_related("product", "plan"))
        credited = sum((line.credited_discount for line in quoted), ZERO)
        if credited > 0:
            _first_sale_check(quote)
        header = {name: getattr(quote, name) for name in COPIED_HEADER_FIELDS}
        lines = [{name: getattr(line, name) for name in COPIED_LINE_FIELDS} for line in quoted]
        order = order_create(
            organisation=quote.organisation,
            actor=actor,
            header=header,
            lines=lines,
            fulfilments=[OrderLine.Fulfilment.LICENCE] * len(lines),
            deal=quote.deal,
            role=role,
            quote=quote,
        )
        if credited > 0:
            credit_earn(order=order, amount=credited, actor=actor)
        if key:
            IdempotencyKey.objects.create(
                organisation=quote.organisation,
                key=key,
                request_digest=digest,
                order=order,
                created_by=actor if getattr(actor, "is_authenticated", False) else None,
            )
        quote_change(
            quote=quote,
            actor=actor,
            action="quote.ordered",
            changes={"status": Quote.Status.ORDERED},
            note={"order": order.reference},
            summary=f"Quote {quote.reference} converted into order {order.reference}",
        )
    return Placed(order=order, created=True)
