"""A distributor's terms to its resellers (SPEC §1 two-tier): the discount off list it
gives each reseller attached to it, or by default every attached reseller without its own.
The distributor's margin is that price less the vendor's price to it (billing.services
.pricing prices both layers)."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from django.db import transaction

from billing.models import ResellerDiscount
from billing.services.two_tier import attached_reseller
from partners import roles
from partners.models import Organisation
from portal.audit.services import audit_record
from portal.errors import DomainError, Forbidden

DISTRIBUTOR_TYPE = "distributor"
NOT_A_DISTRIBUTOR = "Only distributors set discounts for resellers."
NOT_AN_ADMIN = "Only administrators set the discounts your resellers get."
#: Who sets the resale discounts: the organisation's commercial terms.
SET_DISCOUNTS = roles.MANAGE_TEAM


def is_distributor(organisation: Organisation) -> bool:
    return organisation.partner_type.code == DISTRIBUTOR_TYPE


def require_distributor(organisation: Organisation) -> None:
    if not is_distributor(organisation):
        raise Forbidden(NOT_A_DISTRIBUTOR, code="not_a_distributor")


def percent_validate(value) -> Decimal:
    try:
        percent = Decimal(str(value))
    except (InvalidOperation, ValueError):
        percent = None
    if percent is None or not percent.is_finite() or not Decimal("0") <= percent <= 100:
        raise DomainError("A discount from 0 to 100 %.", field="percent", code="percent")
    if percent != percent.quantize(Decimal("0.01")):
        raise DomainError("At most two decimal places.", field="percent", code="percent")
    return percent.quantize(Decimal("0.01"))


def reseller_discount_set(
    *,
    distributor: Organisation,
    actor,
    role: str | None,
    reseller: Organisation | str | None = None,
    percent,
) -> ResellerDiscount:
    """Set the discount ``reseller`` (an attached reseller, or its id) gets from
    ``distributor``; without ``reseller``, the default for every attached reseller
    without its own. Audited with the old and new percentage."""
    require_distributor(distributor)
    if role not in SET_DISCOUNTS:
        raise Forbidden(NOT_AN_ADMIN, code="permission_denied")
    if reseller is not None:
        reseller_id = reseller.pk if isinstance(reseller, Organisation) else reseller
        reseller = attached_reseller(distributor=distributor, reseller_id=reseller_id)
    value = percent_validate(percent)
    with transaction.atomic():
        row = (
            ResellerDiscount.objects.owned_by(distributor)
            .select_for_update()
            .filter(reseller=reseller)
            .first()
        )
        before = {"percent": row.percent} if row is not None else {}
        if row is None:
            row = ResellerDiscount(organisation=distributor, reseller=reseller, percent=value)
        row.percent = value
        row.save()
        if before.get("percent") != value:
            whom = reseller.name if reseller is not None else "every attached reseller (default)"
            audit_record(
                actor=actor,
                action="reseller_discount.set",
                obj=row,
                organisation=distributor,
                before=before,
                after={"percent": value, "reseller": reseller.name if reseller else ""},
                summary=f"Resale discount for {whom}: {value}%",
            )
    return row
