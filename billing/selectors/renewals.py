"""Renewals due (SPEC §3.10): the partner's own yearly customer licences ending within the
next days (or ended within the grace period), each with its renewal's price at today's
rules (the engine; before any first-sale credit, which is one balance for all). The list
costs the same number of queries whatever its length: the licences, their plans and their
sales in three queries, and the pricing's own reads shared (``PricingLookups``)."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.db.models import Exists, OuterRef
from django.utils import timezone

from billing.models import OrderLine
from billing.services.licence_sales import licence_sales_prefetch
from billing.services.pricing import Pricing, PricingLookups
from billing.services.renewals import (
    RENEWABLE_STATUSES,
    RENEWAL_GRACE_DAYS,
    RENEWAL_OPENS_DAYS,
    RenewalPlan,
    renewal_prepare,
)
from licensing.models import BillingPeriod, Licence
from licensing.selectors.trials import OPEN_STATUSES
from partners import roles
from partners.models import Organisation
from portal.errors import DomainError

#: The list's default horizon, and its widest.
DEFAULT_DAYS = RENEWAL_OPENS_DAYS
MAX_DAYS = 366


@dataclass(frozen=True)
class RenewalDue:
    licence: Licence
    days_left: int  # negative: ended that many days ago (within the grace period)
    plan: RenewalPlan | None  # None: not renewable as it is (``refusal`` says why)
    refusal: str = ""

    @property
    def days_ago(self) -> int:
        return -self.days_left

    @property
    def pricing(self) -> Pricing | None:
        return self.plan.pricing if self.plan is not None else None


def renewable_licences(
    *, organisation: Organisation, days: int = DEFAULT_DAYS, today: datetime.date | None = None
):
    """The organisation's own yearly customer licences ending in the next ``days`` days
    or within the grace period past their end, soonest first."""
    today = today or timezone.localdate()
    return (
        Licence.objects.owned_by(organisation)
        .filter(
            kind=Licence.Kind.CUSTOMER,
            billing_period=BillingPeriod.YEARLY,
            status__in=RENEWABLE_STATUSES,
            ends_on__gte=today - datetime.timedelta(days=RENEWAL_GRACE_DAYS),
            ends_on__lte=today + datetime.timedelta(days=days),
        )
        # Sold through an order here (a licence the channel team issued has no sale).
        .filter(Exists(OrderLine.objects.filter(licence=OuterRef("pk"))))
        .select_related("product__programme")
        .prefetch_related("product__plans", licence_sales_prefetch())
        .order_by("ends_on", "id")
    )


def renewals_due(
    *, organisation: Organisation, days: int = DEFAULT_DAYS, today: datetime.date | None = None
) -> list[RenewalDue]:
    """Each licence of ``renewable_licences`` sold through an order, with its renewal
    priced (or why it cannot be renewed as it is)."""
    licences = renewable_licences(organisation=organisation, days=days, today=today)
    return renewals_priced(organisation=organisation, licences=licences, today=today)


def renewals_priced(
    *, organisation: Organisation, licences, today: datetime.date | None = None
) -> list[RenewalDue]:
    """``licences`` (from ``renewable_licences``: with their sales and plans) with their
    renewals priced, the pricing's reads shared."""
    today = today or timezone.localdate()
    lookups = PricingLookups()
    due = []
    for licence in licences:
        days_left = (licence.ends_on - today).days
        try:
            plan = renewal_prepare(
                organisation=organisation,
                licence=licence,
                today=today,
                sales=licence.sales,
                lookups=lookups,
                with_credit=False,
            )
        except DomainError as exc:
            due.append(
                RenewalDue(licence=licence, days_left=days_left, plan=None, refusal=exc.message)
            )
        else:
            due.append(RenewalDue(licence=licence, days_left=days_left, plan=plan))
    return due


@dataclass(frozen=True)
class LicenceSaleActions:
    """What a licence's page offers to sell next (no queries): an upgrade while the
    partner's own yearly customer licence runs, a renewal within its renewal window."""

    upgrade: bool
    renew: bool


def licence_sale_actions(
    licence: Licence, *, organisation: Organisation, role: str | None, today=None
) -> LicenceSaleActions:
    today = today or timezone.localdate()
    sellable = (
        role in roles.BUY
        and licence.organisation_id == organisation.pk
        and licence.kind == Licence.Kind.CUSTOMER
        and licence.billing_period == BillingPeriod.YEARLY
    )
    if not sellable:
        return LicenceSaleActions(upgrade=False, renew=False)
    days_left = (licence.ends_on - today).days
    return LicenceSaleActions(
        upgrade=licence.status in OPEN_STATUSES and days_left >= 0,
        renew=licence.status in RENEWABLE_STATUSES
        and -RENEWAL_GRACE_DAYS <= days_left <= RENEWAL_OPENS_DAYS,
    )
