"""Issuing licences and writing their history (SPEC §3.7).

``licence_issue`` is the only way a licence comes to exist: billing calls it for each order
line, the trial and NFR services for theirs, ``seed_demo`` directly. ``licence_event_record``
is the only writer of a licence's history; every other licensing service calls it in the
transaction of its change, beside the audit record.
"""

from __future__ import annotations

import calendar
import datetime

from django.db import transaction
from django.utils import timezone

from licensing.models import BillingPeriod, Licence, LicenceEvent, Plan, Product
from licensing.services.catalogue import product_quantity_validate
from portal.audit.services import audit_record, audit_values
from portal.errors import DomainError

AUDITED_FIELDS = [
    "status",
    "kind",
    "product_code",
    "quantity",
    "starts_on",
    "ends_on",
    "customer_name",
    "customer_email",
    "customer_country",
    "installation_name",
]


def add_months(day: datetime.date, months: int) -> datetime.date:
    """The same day ``months`` later, or the month's last day when it has no such day
    (31 January + 1 month = 28 or 29 February)."""
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return day.replace(
        year=year, month=month, day=min(day.day, calendar.monthrange(year, month)[1])
    )


def default_term_end(
    *, kind: str, starts_on: datetime.date, billing_period: str, programme
) -> datetime.date:
    """The term's last day (``ends_on`` is inclusive: the licence is valid through it).
    A year from 29 Nov 2026 ends on 28 Nov 2027; a 30-day trial from 1 Nov ends on 30 Nov."""
    if kind == Licence.Kind.TRIAL:
        return starts_on + datetime.timedelta(days=programme.trial_days - 1)
    months = 1 if billing_period == BillingPeriod.MONTHLY else 12
    return add_months(starts_on, months) - datetime.timedelta(days=1)


def term_days(starts_on: datetime.date, ends_on: datetime.date) -> int:
    """How many days a term covers, both ends included."""
    return (ends_on - starts_on).days + 1


@transaction.atomic
def licence_issue(
    *,
    actor,
    organisation,
    product: Product,
    quantity: int,
    kind: str = Licence.Kind.CUSTOMER,
    plan: Plan | None = None,
    starts_on: datetime.date | None = None,
    ends_on: datetime.date | None = None,
    distributor=None,
    customer_name: str = "",
    source: str = "",
    billing_period: str = "",
) -> Licence:
    """Create an unbound licence of ``product`` for ``organisation`` (the partner that owns
    the sale), copying the product's entitlements and name so later catalogue edits leave
    it unchanged. ``distributor``: the distributor the sale came through (it may read the
    licence, never change it). A customer licence names its plan (the price it was sold
    at); a trial, NFR or evaluation licence may not."""
    programme = organisation.partner_type.programme
    if product.programme_id != programme.pk:
        raise DomainError(
            f"{product} is not in {programme.name}'s catalogue.",
            field="product",
            code="product_not_in_programme",
        )
    if not product.is_active:
        raise DomainError(
            f"{product} is no longer offered.", field="product", code="product_inactive"
        )
    if plan is not None and plan.product_id != product.pk:
        raise DomainError(f"This plan is not a plan of {product}.", field="plan", code="invalid")
    if kind == Licence.Kind.CUSTOMER and plan is None:
        raise DomainError("A customer licence names the plan it was sold at.", field="plan")
    product_quantity_validate(product=product, quantity=quantity)
    if distributor is not None and distributor.pk == organisation.pk:
        raise DomainError("A partner is not its own distributor.", field="distributor")

    billing_period = billing_period or (plan.billing_period if plan is not None else "")
    starts_on = starts_on or timezone.localdate()
    ends_on = ends_on or default_term_end(
        kind=kind, starts_on=starts_on, billing_period=billing_period, programme=programme
    )
    if ends_on < starts_on:
        raise DomainError("The term cannot end before it starts.", field="ends_on", code="invalid")

    licence = Licence.objects.create(
        organisation=organisation,
        distributor=distributor,
        product=product,
        plan=plan,
        kind=kind,
        status=Licence.Status.UNBOUND,
        product_code=product.code,
        product_name=str(product),
        unit=product.unit,
        billing_period=billing_period,
        quantity=quantity,
        entitlements=product.entitlements(),
        machine_limit=product.machine_limit,
        starts_on=starts_on,
        ends_on=ends_on,
        customer_name=customer_name.strip(),
        source=source,
        issued_by=actor if getattr(actor, "is_authenticated", False) else None,
    )
    licence_event_record(
        licence=licence,
        kind=LicenceEvent.Kind.CREATED,
        actor=actor,
        summary=f"{licence.get_kind_display()} licence issued: {licence.product_name} "
        f"x {quantity}, {starts_on:%d %b %Y} to {ends_on:%d %b %Y}",
        detail={"source": source} if source else {},
        before={},
    )
    return licence


def lock_licence(licence_id) -> Licence:
    """The one row lock of a licence, taken first whenever a change also touches its
    links, seats, activations or trial (the fixed order: licence, then what hangs off it);
    with its partner and programme."""
    return (
        Licence.objects.select_for_update(of=("self",))
        .select_related("organisation", "product__programme")
        .get(pk=licence_id)
    )


def licence_event_record(
    *,
    licence: Licence,
    kind: str,
    actor,
    summary: str,
    before: dict | None,
    detail: dict | None = None,
) -> LicenceEvent:
    """Append ``kind`` to the licence's history and write the audit record of the change
    (``before``: the audited fields as they were; the licence already holds the new
    values). Must run in the change's transaction."""
    event = LicenceEvent.objects.create(
        licence=licence,
        kind=kind,
        actor=actor if getattr(actor, "is_authenticated", False) else None,
        summary=summary[:250],
        detail=detail or {},
    )
    audit_record(
        actor=actor,
        action=f"licence.{kind}",
        obj=licence,
        organisation=licence.organisation_id,
        before=before,
        after=audit_values(licence, AUDITED_FIELDS),
        summary=summary,
    )
    return event


def licence_audited_values(licence: Licence) -> dict:
    return audit_values(licence, AUDITED_FIELDS)


@transaction.atomic
def licence_term_extend(
    *, actor, licence_id, ends_on: datetime.date, kind: str = LicenceEvent.Kind.RENEWED, reason: str
) -> Licence:
    """Move a sold licence's end to ``ends_on`` (a monthly subscription's next period, a
    renewal); an ended licence that was active becomes active again. Never shortens."""
    licence = lock_licence(licence_id)
    if ends_on <= licence.ends_on:
        return licence
    before = licence_audited_values(licence)
    licence.ends_on = ends_on
    update = ["ends_on", "updated_at"]
    if licence.status == Licence.Status.EXPIRED and licence.key_digest:
        licence.status = Licence.Status.ACTIVE
        update.append("status")
    licence.save(update_fields=update)
    licence_event_record(
        licence=licence,
        kind=kind,
        actor=actor,
        summary=f"{reason}: now valid through {ends_on:%d %b %Y}",
        before=before,
    )
    return licence
