"""Reading referrals: a partner's leads and referral fees, and its commission statement."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Count, QuerySet, Sum

from deals.models import ReferralFee, ReferralLead
from partners.models import Organisation


def referral_leads_for(*, organisation: Organisation) -> QuerySet[ReferralLead]:
    return ReferralLead.objects.for_tenant(organisation).order_by("-submitted_at", "-id")


def referral_fees_for(*, organisation: Organisation) -> QuerySet[ReferralFee]:
    return (
        ReferralFee.objects.for_tenant(organisation)
        .select_related("deal")
        .order_by("-recorded_at", "-id")
    )


def referral_commission_percent(*, organisation: Organisation) -> Decimal | None:
    """What the partner earns on a referred sale: its partner type's commission (programme
    data); None for a partnership that earns none."""
    return organisation.partner_type.commission_percent


@dataclass(frozen=True)
class CurrencyTotal:
    currency: str
    sales: int
    sale_amount: Decimal
    commission_amount: Decimal


@dataclass(frozen=True)
class CommissionStatement:
    year: int
    lines: QuerySet[ReferralLead]
    totals: list[CurrencyTotal]


def commission_statement(*, organisation: Organisation, year: int) -> CommissionStatement:
    """The referred sales of ``year`` (by sale date) and their commissions, with totals per
    currency: two queries, whatever the number of sales."""
    lines = ReferralLead.objects.for_tenant(organisation).filter(
        status=ReferralLead.Status.CONVERTED,
        sale_date__gte=datetime.date(year, 1, 1),
        sale_date__lte=datetime.date(year, 12, 31),
    )
    totals = [
        CurrencyTotal(
            currency=row["currency"],
            sales=row["sales"],
            sale_amount=row["sale_amount"],
            commission_amount=row["commission_amount"],
        )
        for row in lines.order_by("currency")
        .values("currency")
        .annotate(
            sales=Count("pk"),
            sale_amount=Sum("sale_amount"),
            commission_amount=Sum("commission_amount"),
        )
    ]
    return CommissionStatement(
        year=year, lines=lines.order_by("sale_date", "reference"), totals=totals
    )
