"""A distributor's resellers and the terms it gives them (SPEC §1 two-tier), with a
reference sale priced at each engagement model so that its margin is visible."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.db.models import QuerySet

from billing.models import ResellerDiscount
from billing.money import percent_of, quantize_price
from billing.services.pricing import (
    plan_for,
    registered_discount,
    resale_percent,
    units_billed,
)
from licensing.models import BillingPeriod, Product
from partners.models import EngagementModel, Organisation

#: The sale the reseller page prices for every engagement model.
REFERENCE_PRODUCT = "pro"
REFERENCE_QUANTITY = 3


@dataclass(frozen=True)
class ResellerTerms:
    reseller: Organisation
    percent: Decimal
    is_default: bool  # no discount of its own: the distributor's default (or none)


@dataclass(frozen=True)
class ReferenceRow:
    """One engagement model's layers for the reference sale (before tax)."""

    engagement_model: str
    label: str
    distributor_percent: Decimal
    distributor_net: Decimal
    reseller_net: Decimal

    @property
    def margin(self) -> Decimal:
        return self.reseller_net - self.distributor_net


@dataclass(frozen=True)
class ReferenceSale:
    product: Product
    quantity: int
    currency: str
    list_amount: Decimal
    reseller_percent: Decimal
    rows: list[ReferenceRow]


def attached_resellers(*, distributor: Organisation) -> QuerySet[Organisation]:
    """The resellers a distributor supplies (two-tier), with what pricing reads of them."""
    return (
        Organisation.objects.filter(distributor=distributor)
        .select_related("partner_type__programme", "tier", "distributor")
        .order_by("name", "id")
    )


def resale_discounts(*, distributor: Organisation) -> dict:
    """{reseller id, or None for the default: percent} of the distributor's own rows."""
    return dict(
        ResellerDiscount.objects.owned_by(distributor).values_list("reseller_id", "percent")
    )


def default_discount(discounts: dict) -> Decimal:
    return resale_percent(discounts, reseller_id=None)


def reseller_terms(*, resellers, discounts: dict) -> list[ResellerTerms]:
    """The terms of each of ``resellers`` (a page of them), from ``resale_discounts``."""
    return [
        ResellerTerms(
            reseller=reseller,
            percent=resale_percent(discounts, reseller_id=reseller.pk),
            is_default=reseller.pk not in discounts,
        )
        for reseller in resellers
    ]


def reference_sale(*, distributor: Organisation, reseller_percent: Decimal) -> ReferenceSale | None:
    """Pro x 3, yearly, through the distributor to a reseller at ``reseller_percent``: the
    distributor's buy price at each engagement model (the engine's steps) and the
    reseller's price. None when the programme sells no such product."""
    product = (
        Product.objects.filter(
            programme_id=distributor.partner_type.programme_id,
            code=REFERENCE_PRODUCT,
            is_active=True,
        )
        .prefetch_related("plans")
        .first()
    )
    if product is None:
        return None
    plan, unit_price = plan_for(product=product, billing_period=BillingPeriod.YEARLY)
    units = units_billed(product=product, quantity=REFERENCE_QUANTITY, copies=1)
    list_amount = quantize_price(unit_price * units)
    reseller_net = list_amount - percent_of(list_amount, reseller_percent)
    rows = []
    for model in EngagementModel:
        # Late involvement is a sale without a registration; the others have one.
        percent, _ = registered_discount(
            organisation=distributor,
            engagement_model=model,
            registered=model != EngagementModel.LATE_INVOLVEMENT,
        )
        rows.append(
            ReferenceRow(
                engagement_model=model.value,
                label=model.label,
                distributor_percent=percent,
                distributor_net=list_amount - percent_of(list_amount, percent),
                reseller_net=reseller_net,
            )
        )
    return ReferenceSale(
        product=product,
        quantity=REFERENCE_QUANTITY,
        currency=plan.currency,
        list_amount=list_amount,
        reseller_percent=reseller_percent,
        rows=rows,
    )
