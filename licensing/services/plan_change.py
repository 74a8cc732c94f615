"""Changing a sold licence's plan in place (SPEC §3.5 upgrades).

An upgrade replaces the licence's plan rather than issuing a second licence: the customer
keeps its key, its binding and the machines it activated, as a vendor's subscription
upgrade does; the licence takes the new product, quantity and entitlements (copied from
the catalogue, as at issue) and a new full term from the upgrade's day. Its history keeps
what it was ("upgraded" event, and the audit record). Billing calls it in the upgrade
order's transaction (billing.services.upgrades), which credits the unused time."""

from __future__ import annotations

import datetime

from django.db import transaction

from licensing.models import Licence, LicenceEvent, Plan, Product
from licensing.services.catalogue import product_quantity_validate
from licensing.services.licences import (
    licence_audited_values,
    licence_event_record,
    lock_licence,
)
from portal.errors import DomainError


@transaction.atomic
def licence_plan_change(
    *,
    actor,
    licence_id,
    product: Product,
    plan: Plan,
    quantity: int,
    starts_on: datetime.date,
    ends_on: datetime.date,
    reason: str,
) -> Licence:
    licence = lock_licence(licence_id)
    if licence.status in (Licence.Status.CANCELLED, Licence.Status.EXPIRED):
        raise DomainError("An ended licence is not upgraded: sell a new one.", code="licence_ended")
    if product.programme_id != licence.product.programme_id or plan.product_id != product.pk:
        raise DomainError("This plan is not in the licence's catalogue.", field="product")
    product_quantity_validate(product=product, quantity=quantity)
    if ends_on < starts_on:
        raise DomainError("The term cannot end before it starts.", field="ends_on")
    before = licence_audited_values(licence)
    was = f"{licence.product_name} x {licence.quantity}"
    licence.product = product
    licence.plan = plan
    licence.product_code = product.code
    licence.product_name = str(product)
    licence.unit = product.unit
    licence.billing_period = plan.billing_period
    licence.quantity = quantity
    licence.entitlements = product.entitlements()
    licence.machine_limit = product.machine_limit
    licence.starts_on = starts_on
    licence.ends_on = ends_on
    licence.save(
        update_fields=[
            "product",
            "plan",
            "product_code",
            "product_name",
            "unit",
            "billing_period",
            "quantity",
            "entitlements",
            "machine_limit",
            "starts_on",
            "ends_on",
            "updated_at",
        ]
    )
    licence_event_record(
        licence=licence,
        kind=LicenceEvent.Kind.UPGRADED,
        actor=actor,
        summary=f"{reason}: {was} became {licence.product_name} x {quantity}, "
        f"{starts_on:%d %b %Y} to {ends_on:%d %b %Y}",
        before=before,
        detail={"previous": was},
    )
    return licence
