"""Everything the status dashboard shows (SPEC §3.3, issue 13): the partner's own home in
the reseller space and the channel team's view of one partner read the same
``status_dashboard``, so the two never disagree.

Each part reuses the selector that owns its rule (tier status, score, renewals, licences,
deals); the lists are short (``LIST_LENGTH``) with a count and a link to the full page.
A constant number of queries whatever the data (tests/pes/test_dashboard.py).
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from django.db.models import Count, Window

from billing.selectors.renewals import DEFAULT_DAYS as RENEWAL_DAYS
from billing.selectors.renewals import renewable_licences
from deals.models import Deal
from deals.selectors.registrations import deals_for
from licensing.models import Licence
from licensing.selectors.licences import licence_summary, licences_for
from partners import roles
from partners.selectors.programme import TierOverview, tier_overview
from pes.selectors.charts import Bar, deal_mix, gross_by_quarter, quarters_ending
from pes.selectors.score import Score, trailing_score
from pes.selectors.status import TierStatus, tier_status

LIST_LENGTH = 5


@dataclass(frozen=True)
class ShortList:
    items: list
    total: int

    @property
    def more(self) -> int:
        return max(self.total - len(self.items), 0)


@dataclass(frozen=True)
class StatusDashboard:
    status: TierStatus
    overview: TierOverview | None
    score: Score
    gross: list[Bar] | None  # None: the viewer may not see invoice amounts
    mix: list[Bar]
    renewals: ShortList
    renewal_days: int
    awaiting_redemption: ShortList
    expiring_deals: ShortList
    deal_days: int
    charts: dict = field(default_factory=dict)

    @property
    def mix_total(self) -> int:
        return sum(int(bar.value) for bar in self.mix)


def _chart_data(*, gross: list[Bar] | None, mix: list[Bar], currency: str) -> dict:
    """What static/js/status-charts.js draws (passed with ``json_script``)."""
    data = {
        "mix": {
            "labels": [bar.label for bar in mix],
            "values": [int(bar.value) for bar in mix],
        }
    }
    if gross is not None:
        data["gross"] = {
            "labels": [bar.label for bar in gross],
            "values": [str(bar.value) for bar in gross],
            "currency": currency,
        }
    return data


def _first_of(queryset) -> ShortList:
    """The first ``LIST_LENGTH`` rows and how many there are, in one query (the window
    counts the rows before the limit)."""
    items = list(queryset.annotate(listed_total=Window(Count("id")))[:LIST_LENGTH])
    return ShortList(items, items[0].listed_total if items else 0)


def _expiring_deals(*, organisation, on: datetime.date, days: int) -> ShortList:
    """Approved registrations whose protection ends within ``days`` days."""
    expiring = deals_for(organisation=organisation).filter(
        status=Deal.Status.APPROVED,
        protected_until__gte=on,
        protected_until__lte=on + datetime.timedelta(days=days),
    )
    return _first_of(expiring.order_by("protected_until", "id"))


def _awaiting_redemption(*, organisation, count: int) -> ShortList:
    """The organisation's own customer licences bound and not yet redeemed."""
    items = list(
        licences_for(organisation=organisation)
        .filter(
            organisation=organisation,
            kind=Licence.Kind.CUSTOMER,
            status=Licence.Status.BOUND,
        )
        .order_by("ends_on", "id")[:LIST_LENGTH]
    )
    return ShortList(items, count)


def _renewals(*, organisation, on: datetime.date) -> ShortList:
    # The list page prices each renewal; the dashboard names them only (no prices: the
    # pricing's reads are the list page's to pay).
    return _first_of(renewable_licences(organisation=organisation, today=on).prefetch_related(None))


def status_dashboard(*, organisation, role: str | None, on: datetime.date) -> StatusDashboard:
    """``role``: the member's (the gross chart shows invoice amounts: only roles that see
    invoices get it); None for the channel team, who see everything."""
    status = tier_status(organisation=organisation, on=on)
    organisation = status.organisation  # with its type, tier and programme
    programme = organisation.partner_type.programme
    sees_money = role is None or role in roles.VIEW_INVOICES
    gross = (
        gross_by_quarter(organisation=organisation, quarters=quarters_ending(status.quarter))
        if sees_money
        else None
    )
    mix = deal_mix(status.measures)
    deal_days = programme.deal_expiry_reminder_days
    summary = licence_summary(organisation=organisation, today=on)
    return StatusDashboard(
        status=status,
        overview=tier_overview(organisation=organisation),
        score=trailing_score(organisation=organisation, on=on),
        gross=gross,
        mix=mix,
        renewals=_renewals(organisation=organisation, on=on),
        renewal_days=RENEWAL_DAYS,
        awaiting_redemption=_awaiting_redemption(
            organisation=organisation, count=summary.awaiting_redemption
        ),
        expiring_deals=_expiring_deals(organisation=organisation, on=on, days=deal_days),
        deal_days=deal_days,
        charts=_chart_data(gross=gross, mix=mix, currency="USD"),
    )
