"""Referral leads and referral fees (SPEC §3.6; deals.models.referrals explains both).

The partner submits leads and invoices its referral fees (administrators and sales,
partners.roles.REGISTER_DEALS); the channel team, with ``deals.manage_referrals``, records a
lead's sale (the commission is fixed then, from the partner type's commission percent),
declines a lead, records that an approved registration's customer bought online (the fee
is the partner's discount off list, from the programme's discount rules), approves the
invoice and marks it paid. The partner is emailed at each of the channel team's steps.
"""

from __future__ import annotations

import datetime
from decimal import ROUND_HALF_UP, Decimal

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.utils import timezone
from django_countries import countries

from deals.domains import normalise_domain
from deals.models import Deal, DealEvent, ReferralFee, ReferralLead
from deals.selectors.referrals import referral_commission_percent
from deals.services.registrations import (
    MAX_NOTES,
    deal_event,
    next_reference,
    notify_channel_team_text,
    require_deal_role,
)
from partners.selectors.programme import discount_percent, is_embargoed
from portal.audit.services import audit_record
from portal.errors import Conflict, DomainError
from portal.formats import format_date
from portal.permissions import require_staff_permission

REFERRAL_PERMISSION = "deals.manage_referrals"
_NOT_FINANCE = "Recording referral sales and fees needs the permission to manage referrals."
_CENT = Decimal("0.01")
MAX_AMOUNT = Decimal("999999999999.99")
LeadStatus = ReferralLead.Status
FeeStatus = ReferralFee.Status


def referral_fee_note(deal: Deal) -> str:
    """The note the partner's invoice carries (the Mattermost programme's wording)."""
    return f"Referral fee for deal registration {deal.reference}"


def _percent_of(amount: Decimal, percent: Decimal) -> Decimal:
    return (amount * percent / Decimal(100)).quantize(_CENT, rounding=ROUND_HALF_UP)


def _amount(value, *, field: str) -> Decimal:
    if not isinstance(value, Decimal) or not value.is_finite() or value < 0 or value > MAX_AMOUNT:
        raise DomainError("Give an amount of zero or more.", field=field, code="invalid")
    return value.quantize(_CENT, rounding=ROUND_HALF_UP)


def _currency(value) -> str:
    currency = str(value or "").strip().upper()
    if len(currency) != 3 or not currency.isascii() or not currency.isalpha():
        raise DomainError(
            "Give the currency as a three-letter ISO 4217 code, such as USD.",
            field="currency",
            code="currency",
        )
    return currency


def _day(value, *, field: str) -> datetime.date:
    if not isinstance(value, datetime.date) or isinstance(value, datetime.datetime):
        raise DomainError("Give the date.", field=field, code="required")
    if value > timezone.localdate():
        raise DomainError("The date is in the future.", field=field, code="future")
    return value


def _notify(organisation_id, *, event: str, lead=None, fee=None) -> None:
    from deals.tasks import send_referral_email  # tasks import the services

    send_referral_email.delay_on_commit(
        organisation_id=str(organisation_id),
        event=event,
        lead_id=str(lead.pk) if lead else "",
        fee_id=str(fee.pk) if fee else "",
    )


def _save_step(
    obj: ReferralLead | ReferralFee,
    *,
    actor,
    action: str,
    before_status: str,
    summary: str,
    after: dict | None = None,
    update_fields: list[str] | None = None,
) -> None:
    """Save a lead's or a fee's step and write its audit row: the status before and after
    (with ``after``)."""
    obj.save(update_fields=update_fields)
    audit_record(
        actor=actor,
        action=action,
        obj=obj,
        organisation=obj.organisation_id,
        before={"status": before_status},
        after={"status": obj.status, **(after or {})},
        summary=summary,
    )


# --- referral leads ---------------------------------------------------------------------------


@transaction.atomic
def referral_submit(*, organisation, actor, role: str | None, data: dict) -> ReferralLead:
    require_deal_role(role)
    if referral_commission_percent(organisation=organisation) is None:
        raise DomainError(
            "Your partnership earns no referral commission: register the customer as a "
            "deal instead.",
            code="no_commission",
        )
    name = str(data.get("customer_name") or "").strip()
    if not name:
        raise DomainError("Name the prospect's company.", field="customer_name", code="required")
    domain = normalise_domain(str(data.get("customer_domain") or ""))
    country = str(data.get("customer_country") or "").strip().upper()
    if country not in countries:
        raise DomainError(
            "Choose the prospect's country (a two-letter ISO 3166 code).",
            field="customer_country",
            code="country",
        )
    if is_embargoed(programme=organisation.partner_type.programme, country=country):
        raise DomainError(
            "We cannot do business in this country (trade embargo).",
            field="customer_country",
            code="embargoed",
        )
    email = str(data.get("customer_email") or "").strip()
    try:
        validate_email(email)
    except ValidationError as exc:
        raise DomainError(
            "Give the prospect contact's email address.",
            field="customer_email",
            code="invalid_email",
        ) from exc
    notes = str(data.get("notes") or "").strip()[:MAX_NOTES]
    now = timezone.now()
    lead = ReferralLead.objects.create(
        organisation=organisation,
        reference=next_reference(year=now.year, prefix="RL"),
        customer_name=name[:200],
        customer_domain=domain,
        customer_country=country,
        customer_email=email,
        notes=notes,
        submitted_by=actor,
        submitted_at=now,
    )
    audit_record(
        actor=actor,
        action="referral.submitted",
        obj=lead,
        organisation=organisation,
        after={"reference": lead.reference, "customer_name": name, "customer_domain": domain},
        summary=f"Referral lead {lead.reference} submitted for {name}",
    )
    notify_channel_team_text(
        subject_event="New referral lead",
        reference=lead.reference,
        partner=organisation.name,
        customer=f"{name} ({domain})",
        admin_path=("admin:deals_referrallead_change", lead.pk),
    )
    return lead


def _lock_lead(lead: ReferralLead) -> ReferralLead:
    locked = (
        ReferralLead.objects.select_for_update(of=("self",))
        .select_related("organisation__partner_type")
        .get(pk=lead.pk)
    )
    if locked.status != LeadStatus.SUBMITTED:
        raise Conflict(
            f"This lead is already {locked.get_status_display().lower()}.", code="lead_closed"
        )
    return locked


@transaction.atomic
def referral_record_sale(*, lead: ReferralLead, actor, sale_date, amount, currency) -> ReferralLead:
    """The lead became a customer sale of ``amount``: the partner earns its type's
    commission percent of it, fixed now."""
    require_staff_permission(actor, REFERRAL_PERMISSION, _NOT_FINANCE)
    sale_date = _day(sale_date, field="sale_date")
    amount = _amount(amount, field="amount")
    currency = _currency(currency)
    lead = _lock_lead(lead)
    percent = referral_commission_percent(organisation=lead.organisation)
    if percent is None:
        raise DomainError(
            "This partner's type earns no commission; change the programme first.",
            code="no_commission",
        )
    lead.status = LeadStatus.CONVERTED
    lead.sale_date = sale_date
    lead.sale_amount = amount
    lead.currency = currency
    lead.commission_percent = percent
    lead.commission_amount = _percent_of(amount, percent)
    lead.decided_at = timezone.now()
    lead.decided_by = actor
    _save_step(
        lead,
        actor=actor,
        action="referral.converted",
        before_status=LeadStatus.SUBMITTED,
        after={
            "sale_date": sale_date,
            "sale_amount": amount,
            "currency": currency,
            "commission_percent": percent,
            "commission_amount": lead.commission_amount,
        },
        summary=f"Referral lead {lead.reference} became a sale of {amount} {currency}: "
        f"commission {lead.commission_amount} {currency}",
    )
    _notify(lead.organisation_id, event="lead_converted", lead=lead)
    return lead


@transaction.atomic
def referral_decline(*, lead: ReferralLead, actor, reason: str) -> ReferralLead:
    require_staff_permission(actor, REFERRAL_PERMISSION, _NOT_FINANCE)
    reason = (reason or "").strip()
    if not reason:
        raise DomainError("Give the partner a reason.", field="reason", code="required")
    lead = _lock_lead(lead)
    lead.status = LeadStatus.DECLINED
    lead.decline_reason = reason[:MAX_NOTES]
    lead.decided_at = timezone.now()
    lead.decided_by = actor
    _save_step(
        lead,
        actor=actor,
        action="referral.declined",
        before_status=LeadStatus.SUBMITTED,
        after={"decline_reason": lead.decline_reason},
        summary=f"Referral lead {lead.reference} declined",
        update_fields=["status", "decline_reason", "decided_at", "decided_by"],
    )
    _notify(lead.organisation_id, event="lead_declined", lead=lead)
    return lead


# --- referral fees ------------------------------------------------------------------------------


@transaction.atomic
def referral_fee_record_purchase(
    *, deal: Deal, actor, purchase_date, list_amount, currency
) -> ReferralFee:
    """The customer of an approved registration bought online directly, for ``list_amount``
    at list price: the partner may invoice its discount off list as a referral fee."""
    require_staff_permission(actor, REFERRAL_PERMISSION, _NOT_FINANCE)
    purchase_date = _day(purchase_date, field="purchase_date")
    list_amount = _amount(list_amount, field="list_amount")
    currency = _currency(currency)
    deal = (
        Deal.objects.select_for_update(of=("self",))
        .select_related("organisation__partner_type", "organisation__tier")
        .get(pk=deal.pk)
    )
    if deal.status != Deal.Status.APPROVED:
        raise Conflict(
            "Only an approved registration's customer can earn the partner a referral fee.",
            code="not_approved",
        )
    if ReferralFee.objects.filter(deal=deal).exists():
        raise Conflict("This registration already has its referral fee.", code="fee_exists")
    organisation = deal.organisation
    percent = discount_percent(
        partner_type=organisation.partner_type,
        tier_level=organisation.tier.level if organisation.tier else None,
        engagement_model=deal.engagement_model,
    )
    if percent <= 0:
        raise DomainError(
            "This partner has no discount off list for the registration, so no referral fee.",
            code="no_discount",
        )
    fee = ReferralFee.objects.create(
        organisation_id=deal.organisation_id,
        deal=deal,
        purchase_date=purchase_date,
        list_amount=list_amount,
        currency=currency,
        discount_percent=percent,
        fee_amount=_percent_of(list_amount, percent),
        recorded_by=actor,
    )
    deal_event(
        deal=deal,
        kind=DealEvent.Kind.ONLINE_PURCHASE,
        actor=actor,
        by_channel_team=True,
        text=f"The customer bought online on {format_date(purchase_date)}: you may invoice a "
        f"referral fee of {fee.fee_amount} {currency} ({percent}% of {list_amount} "
        f'{currency} list) with the note "{referral_fee_note(deal)}".',
    )
    audit_record(
        actor=actor,
        action="referral_fee.purchase_recorded",
        obj=fee,
        organisation=deal.organisation_id,
        after={
            "deal": deal.reference,
            "purchase_date": purchase_date,
            "list_amount": list_amount,
            "currency": currency,
            "discount_percent": percent,
            "fee_amount": fee.fee_amount,
        },
        summary=f"Online purchase recorded for {deal.reference}: referral fee "
        f"{fee.fee_amount} {currency}",
    )
    _notify(deal.organisation_id, event="fee_open", fee=fee)
    return fee


def _lock_fee(fee: ReferralFee, status: str, message: str) -> ReferralFee:
    locked = (
        ReferralFee.objects.select_for_update(of=("self",)).select_related("deal").get(pk=fee.pk)
    )
    if locked.status != status:
        raise Conflict(message, code="fee_state")
    return locked


@transaction.atomic
def referral_fee_invoice(
    *, fee: ReferralFee, actor, role: str | None, invoice_number: str
) -> ReferralFee:
    """The partner submits its invoice for the fee (its number; the note is the
    programme's)."""
    require_deal_role(role)
    number = (invoice_number or "").strip()
    if not number:
        raise DomainError("Give your invoice's number.", field="invoice_number", code="required")
    fee = _lock_fee(fee, FeeStatus.PURCHASE_RECORDED, "This referral fee was already invoiced.")
    fee.status = FeeStatus.INVOICED
    fee.invoice_number = number[:60]
    fee.invoice_note = referral_fee_note(fee.deal)
    fee.invoiced_at = timezone.now()
    fee.invoiced_by = actor
    _save_step(
        fee,
        actor=actor,
        action="referral_fee.invoiced",
        before_status=FeeStatus.PURCHASE_RECORDED,
        after={"invoice_number": fee.invoice_number},
        summary=f"Referral fee for {fee.deal.reference} invoiced ({fee.invoice_number})",
    )
    from partners.models import Organisation

    notify_channel_team_text(
        subject_event="Referral fee invoice to approve",
        reference=fee.deal.reference,
        partner=Organisation.objects.get(pk=fee.organisation_id).name,
        customer=f"{fee.deal.customer_name}: {fee.fee_amount} {fee.currency}, invoice "
        f"{fee.invoice_number}",
        admin_path=("admin:deals_referralfee_change", fee.pk),
    )
    return fee


@transaction.atomic
def referral_fee_approve(*, fee: ReferralFee, actor) -> ReferralFee:
    require_staff_permission(actor, REFERRAL_PERMISSION, _NOT_FINANCE)
    fee = _lock_fee(fee, FeeStatus.INVOICED, "Only a submitted invoice can be approved.")
    fee.status = FeeStatus.APPROVED
    fee.approved_at = timezone.now()
    fee.approved_by = actor
    _save_step(
        fee,
        actor=actor,
        action="referral_fee.approved",
        before_status=FeeStatus.INVOICED,
        summary=f"Referral fee invoice {fee.invoice_number} for {fee.deal.reference} approved",
        update_fields=["status", "approved_at", "approved_by"],
    )
    _notify(fee.organisation_id, event="fee_approved", fee=fee)
    return fee


@transaction.atomic
def referral_fee_mark_paid(*, fee: ReferralFee, actor, payment_reference: str = "") -> ReferralFee:
    require_staff_permission(actor, REFERRAL_PERMISSION, _NOT_FINANCE)
    fee = _lock_fee(fee, FeeStatus.APPROVED, "Only an approved invoice can be marked paid.")
    fee.status = FeeStatus.PAID
    fee.paid_at = timezone.now()
    fee.payment_reference = (payment_reference or "").strip()[:80]
    _save_step(
        fee,
        actor=actor,
        action="referral_fee.paid",
        before_status=FeeStatus.APPROVED,
        after={"payment_reference": fee.payment_reference},
        summary=f"Referral fee for {fee.deal.reference} paid",
        update_fields=["status", "paid_at", "payment_reference"],
    )
    _notify(fee.organisation_id, event="fee_paid", fee=fee)
    return fee
