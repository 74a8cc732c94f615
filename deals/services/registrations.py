"""A partner's side of deal registration (SPEC §3.6): registering an opportunity,
answering the channel team's question, marking a registration won or lost.

The page (deals/views/registrations.py) and the API (deals/api/registrations.py) both call
these; the rules live here only. The channel team's side is deals/services/review.py.

Deal blocking at submission: a registration for an opportunity another partner holds is
accepted, as ``conflict``, for the channel team to see. The partner learns only that: the
look-up across tenants answers a boolean (``opportunity_held_by_another``), and no message
names the holder.
"""

from __future__ import annotations

import datetime
import re
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import connection, transaction
from django.urls import reverse
from django.utils import timezone
from django_countries import countries

from deals.domains import normalise_domain
from deals.models import Deal, DealEvent, ReferenceCounter
from deals.selectors.registrations import deal_products, opportunity_held_by_another
from partners import roles
from partners.models import EngagementModel, Organisation
from partners.selectors.programme import is_embargoed
from portal.audit.services import audit_record
from portal.errors import Conflict, DomainError, Forbidden
from portal.tasks import send_templated_email

Status = Deal.Status

#: What a partner reads when its registration meets one another partner holds: that it is
#: in conflict, nothing about the holder.
CONFLICT_TEXT = (
    "Another registration already holds this customer and product. The channel team "
    "decides; this registration cannot be approved while the other one holds."
)
NOT_A_DEAL_ROLE = "Your role in your organisation does not allow registering deals."
MAX_NOTES = 5000
MAX_ANSWER = 5000
_CURRENCY = re.compile(r"^[A-Z]{3}$")
_CENT = Decimal("0.01")
MAX_VALUE = Decimal("999999999999.99")  # 14 digits, 2 after the point


def require_deal_role(role: str | None) -> None:
    if role not in roles.REGISTER_DEALS:
        raise Forbidden(NOT_A_DEAL_ROLE, code="permission_denied")


# --- validation -----------------------------------------------------------------------------


def deal_validate(*, organisation: Organisation, data: dict) -> dict:
    """The registration's values as they are stored, or a ``DomainError`` naming the field:
    the domain normalised, the product found in the partner's catalogue by its code, the
    embargo of the partner's programme applied to the customer's country and region."""
    programme = organisation.partner_type.programme
    values: dict = {}

    name = str(data.get("customer_name") or "").strip()
    if not name:
        raise DomainError("Name the end customer.", field="customer_name", code="required")
    values["customer_name"] = name[:200]
    values["customer_domain"] = normalise_domain(str(data.get("customer_domain") or ""))

    country = str(data.get("customer_country") or "").strip().upper()
    if country not in countries:
        raise DomainError(
            "Choose the customer's country (a two-letter ISO 3166 code).",
            field="customer_country",
            code="country",
        )
    region = str(data.get("customer_region") or "").strip()[:80]
    if is_embargoed(programme=programme, country=country):
        raise DomainError(
            "We cannot do business in this country (trade embargo).",
            field="customer_country",
            code="embargoed",
        )
    if region and is_embargoed(programme=programme, country=country, region=region):
        raise DomainError(
            "We cannot do business in this region (trade embargo).",
            field="customer_region",
            code="embargoed",
        )
    values["customer_country"] = country
    values["customer_region"] = region

    email = str(data.get("customer_email") or "").strip()
    try:
        validate_email(email)
    except ValidationError as exc:
        raise DomainError(
            "Give the customer contact's email address: no anonymous sales.",
            field="customer_email",
            code="invalid_email",
        ) from exc
    values["customer_email"] = email

    values["product"] = _product(organisation=organisation, code=data.get("product"))
    values["estimated_value"] = _amount(data.get("estimated_value"))
    currency = str(data.get("currency") or programme.reporting_currency).strip().upper()
    if not _CURRENCY.match(currency):
        raise DomainError(
            "Give the currency as a three-letter ISO 4217 code, such as USD.",
            field="currency",
            code="currency",
        )
    values["currency"] = currency

    close = data.get("expected_close_date")
    if not isinstance(close, datetime.date) or isinstance(close, datetime.datetime):
        raise DomainError(
            "Give the expected close date.", field="expected_close_date", code="required"
        )
    if close < timezone.localdate():
        raise DomainError(
            "The expected close date is in the past.",
            field="expected_close_date",
            code="past",
        )
    values["expected_close_date"] = close

    model = data.get("engagement_model")
    if model not in EngagementModel.values:
        raise DomainError(
            f"Choose an engagement model: {', '.join(EngagementModel.values)}.",
            field="engagement_model",
            code="invalid_choice",
        )
    values["engagement_model"] = model

    notes = str(data.get("notes") or "").strip()
    if len(notes) > MAX_NOTES:
        raise DomainError(
            f"Keep the notes under {MAX_NOTES} characters.", field="notes", code="too_long"
        )
    values["notes"] = notes
    return values


def _product(*, organisation: Organisation, code) -> object:
    offered = list(deal_products(organisation=organisation))
    for product in offered:
        if product.code == code:
            return product
    known = ", ".join(p.code for p in offered) or "none yet"
    raise DomainError(
        f"Choose a product of your programme's catalogue ({known}).",
        field="product",
        code="unknown_product",
    )


def _amount(value) -> Decimal:
    try:
        amount = Decimal(str(value)).quantize(_CENT, rounding=ROUND_HALF_UP)
    except (InvalidOperation, ValueError, TypeError) as exc:
        raise DomainError(
            "Give the estimated value as an amount, such as 12000.00.",
            field="estimated_value",
            code="invalid",
        ) from exc
    if not amount.is_finite() or amount < 0 or amount > MAX_VALUE:
        raise DomainError(
            "Give an estimated value of zero or more (at most 12 digits before the point).",
            field="estimated_value",
            code="invalid",
        )
    return amount


# --- references -------------------------------------------------------------------------------


def next_reference(*, year: int, prefix: str = "DR") -> str:
    """``DR-2026-000123``: the year's next number of the ``prefix``. One upsert
    increments the counter row and keeps it locked until the transaction ends, so concurrent
    submissions take numbers one after the other, a rolled-back one gives its number back
    (no gap), and no number is given twice. A sequence would be lock-free but leaves a gap
    for every rolled-back submission and needs one sequence per year."""
    if not connection.in_atomic_block:
        raise RuntimeError("next_reference must run inside the submission's transaction")
    table = ReferenceCounter._meta.db_table  # from the model, never from input
    with connection.cursor() as cursor:
        cursor.execute(
            f'INSERT INTO "{table}" (prefix, year, last) VALUES (%s, %s, 1) '  # noqa: S608
            f'ON CONFLICT (prefix, year) DO UPDATE SET last = "{table}".last + 1 '
            "RETURNING last",
            [prefix, year],
        )
        (number,) = cursor.fetchone()
    return f"{prefix}-{year}-{number:06d}"


# --- history and notifications ------------------------------------------------------------------


def deal_event(
    *, deal: Deal, kind: str, actor=None, text: str = "", by_channel_team: bool = False
) -> DealEvent:
    return DealEvent.objects.create(
        deal=deal, kind=kind, actor=actor, text=text, by_channel_team=by_channel_team
    )


def deal_conflict_event(deal: Deal) -> DealEvent:
    """The history's note that another registration holds the opportunity (``CONFLICT_TEXT``:
    nothing about the holder)."""
    return deal_event(
        deal=deal, kind=DealEvent.Kind.CONFLICT, text=CONFLICT_TEXT, by_channel_team=True
    )


def notify_partner(deal: Deal, event: str) -> None:
    """Email the partner about ``event`` after the commit (ids only: the task reads the
    registration in the partner's own context)."""
    from deals.tasks import send_deal_email  # tasks import the services

    send_deal_email.delay_on_commit(
        organisation_id=str(deal.organisation_id), deal_id=str(deal.pk), event=event
    )


def notify_channel_team(deal: Deal, *, organisation_name: str, event: str) -> None:
    notify_channel_team_text(
        subject_event=event,
        reference=deal.reference,
        partner=organisation_name,
        customer=f"{deal.customer_name} ({deal.customer_domain})",
        admin_path=("admin:deals_deal_change", deal.pk),
    )


def notify_channel_team_text(
    *, subject_event: str, reference: str, partner: str, customer: str, admin_path: tuple
) -> None:
    """Tell the channel team something waits for it (no secret in it: it waits in the
    outbox in clear)."""
    url_name, pk = admin_path
    send_templated_email.delay_on_commit(
        to=[settings.CHANNEL_TEAM_EMAIL],
        template="deals/emails/staff_notice",
        context={
            "event": subject_event,
            "reference": reference,
            "partner": partner,
            "customer": customer,
            "admin_url": settings.PORTAL_BASE_URL + reverse(url_name, args=[pk]),
        },
    )


def _snapshot(deal: Deal) -> dict:
    return {
        "status": deal.status,
        "protected_until": deal.protected_until,
    }


def _audit_change(deal: Deal, *, actor, action: str, before: dict, summary: str) -> None:
    """The audit row of a partner's change to its registration (``_snapshot`` before and
    after)."""
    audit_record(
        actor=actor,
        action=action,
        obj=deal,
        organisation=deal.organisation_id,
        before=before,
        after=_snapshot(deal),
        summary=summary,
    )


# --- the partner's writes -----------------------------------------------------------------------


@transaction.atomic
def deal_submit(*, organisation: Organisation, actor, role: str | None, data: dict) -> Deal:
    """Register an opportunity. ``data`` holds the API's field names (``product`` is the
    catalogue code). Held by another partner: accepted as ``conflict``."""
    require_deal_role(role)
    values = deal_validate(organisation=organisation, data=data)
    product = values["product"]
    own = (
        Deal.objects.owned_by(organisation)
        .filter(
            customer_domain=values["customer_domain"],
            product=product,
            status__in=[*Deal.OPEN, Status.APPROVED],
        )
        .first()
    )
    if own is not None:
        raise DomainError(
            f"You already registered {values['customer_domain']} for {product}: "
            f"{own.reference} ({own.get_status_display().lower()}).",
            field="customer_domain",
            code="duplicate",
        )
    held = opportunity_held_by_another(
        customer_domain=values["customer_domain"],
        product_id=product.pk,
        organisation_id=organisation.pk,
    )
    now = timezone.now()
    deal = Deal.objects.create(
        organisation=organisation,
        reference=next_reference(year=now.year),
        status=Status.CONFLICT if held else Status.SUBMITTED,
        submitted_by=actor,
        submitted_at=now,
        review_since=now,
        **values,
    )
    deal_event(deal=deal, kind=DealEvent.Kind.SUBMITTED, actor=actor)
    if held:
        deal_conflict_event(deal)
    audit_record(
        actor=actor,
        action="deal.submitted",
        obj=deal,
        organisation=organisation,
        after={
            "reference": deal.reference,
            "status": deal.status,
            "customer_name": deal.customer_name,
            "customer_domain": deal.customer_domain,
            "customer_country": deal.customer_country,
            "product": product.code,
            "estimated_value": deal.estimated_value,
            "currency": deal.currency,
            "engagement_model": deal.engagement_model,
        },
        summary=f"Deal {deal.reference} registered for {deal.customer_name}"
        + (" (in conflict)" if held else ""),
    )
    notify_partner(deal, "received")
    notify_channel_team(
        deal,
        organisation_name=organisation.name,
        event="New deal registration" + (" in conflict" if held else ""),
    )
    return deal


def _lock(deal: Deal) -> Deal:
    """The registration, row-locked for a change (read in the caller's context)."""
    return Deal.objects.select_for_update().select_related("product__programme").get(pk=deal.pk)


@transaction.atomic
def deal_answer(*, deal: Deal, actor, role: str | None, answer: str) -> Deal:
    """The partner answers the channel team's question: back to review (or to conflict,
    when another partner has come to hold the opportunity meanwhile)."""
    require_deal_role(role)
    text = (answer or "").strip()
    if not text:
        raise DomainError("Write your answer.", field="answer", code="required")
    if len(text) > MAX_ANSWER:
        raise DomainError(
            f"Keep the answer under {MAX_ANSWER} characters.", field="answer", code="too_long"
        )
    deal = _lock(deal)
    if deal.status != Status.MORE_INFO_REQUESTED:
        raise Conflict("This registration is not waiting for an answer.", code="not_waiting")
    before = _snapshot(deal)
    held = opportunity_held_by_another(
        customer_domain=deal.customer_domain,
        product_id=deal.product_id,
        organisation_id=deal.organisation_id,
    )
    deal.status = Status.CONFLICT if held else Status.SUBMITTED
    deal.review_since = timezone.now()
    deal.save(update_fields=["status", "review_since", "updated_at"])
    deal_event(deal=deal, kind=DealEvent.Kind.ANSWER, actor=actor, text=text)
    if held:
        deal_conflict_event(deal)
    _audit_change(
        deal,
        actor=actor,
        action="deal.answered",
        before=before,
        summary=f"Deal {deal.reference}: the channel team's question answered",
    )
    notify_channel_team(
        deal,
        organisation_name=Organisation.objects.get(pk=deal.organisation_id).name,
        event="A partner answered your question",
    )
    return deal


@transaction.atomic
def deal_mark_won(*, deal: Deal, actor, role: str | None) -> Deal:
    """The customer bought (billing links the order): the registration no longer expires."""
    require_deal_role(role)
    deal = _lock(deal)
    if deal.status != Status.APPROVED:
        raise Conflict("Only an approved registration can be marked won.", code="not_approved")
    return _close(deal, actor=actor, status=Status.WON, kind=DealEvent.Kind.WON, text="")


@transaction.atomic
def deal_mark_lost(*, deal: Deal, actor, role: str | None, reason: str = "") -> Deal:
    """The opportunity is gone: the registration closes (and its protection, if any, ends)."""
    require_deal_role(role)
    text = (reason or "").strip()[:MAX_ANSWER]
    deal = _lock(deal)
    if deal.status not in (*Deal.OPEN, Status.APPROVED):
        raise Conflict(
            f"This registration is already {deal.get_status_display().lower()}.",
            code="closed",
        )
    return _close(deal, actor=actor, status=Status.LOST, kind=DealEvent.Kind.LOST, text=text)


def _close(deal: Deal, *, actor, status: str, kind: str, text: str) -> Deal:
    if deal.events.filter(kind=DealEvent.Kind.ONLINE_PURCHASE).exists():
        raise Conflict(
            "The customer bought online: this registration earns you a referral fee instead.",
            code="bought_online",
        )
    before = _snapshot(deal)
    deal.status = status
    deal.closed_at = timezone.now()
    deal.save(update_fields=["status", "closed_at", "updated_at"])
    deal_event(deal=deal, kind=kind, actor=actor, text=text)
    _audit_change(
        deal,
        actor=actor,
        action=f"deal.{status}",
        before=before,
        summary=f"Deal {deal.reference} marked {status}",
    )
    return deal
