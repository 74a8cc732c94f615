"""The demo partners' last four completed quarters (issue "Engagement score and tiers"):
so the status dashboard has a year of history on first login.

Back-filled through pes.history, then evaluated in order with the evaluation service, as
the quarterly job would have done:

* Northwind Distribution (distributor, tier 2) meets every requirement each quarter but
  the last one, where co-led deals are 40 % of its sales (30 % at most): one failed
  quarter this year, "at risk", not moved.
* Bluepeak IT (reseller, tier 1) and Cloud Nine Hosting (CSP, tier 1) sell every quarter
  and pass; Lagoon Integrazioni (Xen Orchestra reseller) too. None of them reaches its
  next tier's requirements (no validated level-1 support), so no upgrade is flagged.

The quarters are the four that ended before today. Idempotent: a partner whose history is
written gets none again, and a quarter already evaluated is not evaluated again (a re-run
would add audit records, nothing else).
"""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.utils import timezone

from billing.models import CurrencyRate
from licensing.models import Licence
from partners.models import Membership, Organisation, SalesTraining
from pes.history import HISTORY_SOURCE, History, Person, history_write
from pes.history.plan import day_in
from pes.models import TierEvaluation
from pes.quarters import Quarter
from pes.services.evaluation import evaluate_quarter

NORTHWIND = "Northwind Distribution"
BLUEPEAK = "Bluepeak IT"
CLOUD_NINE = "Cloud Nine Hosting"
LAGOON = "Lagoon Integrazioni"
QUARTERS = 4
POINTS_PER_QUARTER = 60  # tier 2 asks 100 over twelve months
POINTS_REASON = "Joint marketing campaign with the channel team"

# Sales per quarter: (partner-owned, co-led, late involvement, gross each in US dollars).
# Northwind's tier 2: at least 40 % partner-owned, at most 30 % co-led and 30 % late, and
# 100,000 invoiced over twelve months (two quarters of history reach it).
NORTHWIND_PASSING = (5, 2, 2, Decimal("6000"))
NORTHWIND_CO_LED_HEAVY = (5, 4, 1, Decimal("6000"))  # co-led 40 %: the failed quarter
SMALLER = {
    BLUEPEAK: (1, 1, 1, Decimal("2500")),
    CLOUD_NINE: (0, 0, 3, Decimal("3000")),
    LAGOON: (0, 0, 2, Decimal("1800")),
}


def last_quarters(today: datetime.date, count: int = QUARTERS) -> list[Quarter]:
    """The ``count`` quarters that ended before ``today``, oldest first."""
    quarter = Quarter.containing(today).previous()
    found = [quarter]
    while len(found) < count:
        found.insert(0, found[0].previous())
    return found


def seed_history(*, stdout) -> None:
    partners = {
        o.name: o
        for o in Organisation.objects.filter(
            name__in=[NORTHWIND, *SMALLER], status=Organisation.Status.ACTIVE
        ).select_related("tier")
    }
    if NORTHWIND not in partners:
        stdout.write("  pes: the demo partners are missing; no history added")
        return
    quarters = last_quarters(timezone.localdate())
    pending = [
        o
        for o in partners.values()
        if not Licence.objects.filter(organisation=o, source=HISTORY_SOURCE).exists()
    ]
    if pending:
        written = history_write(history=_history(pending, quarters))
        stdout.write(
            f"  pes: {written['orders']} past orders, {written['points_entries']} points "
            f"entries for {len(pending)} demo partners"
        )
    evaluated = 0
    for quarter in quarters:
        done = TierEvaluation.objects.filter(
            organisation__in=partners.values(), year=quarter.year, quarter=quarter.number
        ).exists()
        if not done:
            # Past quarters: the partners are not emailed results they never waited for.
            evaluate_quarter(quarter=quarter, notify=False)
            evaluated += 1
    stdout.write(f"  pes: {evaluated} quarters evaluated ({quarters[0]} to {quarters[-1]})")


def _history(partners: list[Organisation], quarters: list[Quarter]) -> History:
    h = History()
    # The quarter before the four: twelve months of gross for the first of them.
    span = [quarters[0].previous(), *quarters]
    for org in partners:
        members = [
            Person.of(m)
            for m in Membership.objects.filter(organisation=org)
            .select_related("user")
            .order_by("role", "user__email")
        ]
        for n, quarter in enumerate(span):
            if org.name == NORTHWIND:
                failing = quarter == quarters[-1]
                mix = NORTHWIND_CO_LED_HEAVY if failing else NORTHWIND_PASSING
            else:
                mix = SMALLER[org.name]
            _sales(h, org, quarter, mix, first=n == 0)
            h.points(org.pk, day_in(quarter, 1, 3), POINTS_PER_QUARTER, description=POINTS_REASON)
            if members:
                h.attended(members[0], day_in(quarter, 1, 2))
        if org.name == NORTHWIND:
            _northwind_extras(h, org, span, members)
    return h


def _sales(h: History, org, quarter: Quarter, mix, *, first: bool) -> None:
    partner_owned, co_led, late, amount = mix
    models = (
        ["partner_owned"] * partner_owned
        + ["co_led_partner", "co_led_vendor"] * (co_led // 2)
        + ["co_led_partner"] * (co_led % 2)
        + ["late_involvement"] * late
    )
    currency = "EUR" if org.country in ("FR", "IT", "DE") and org.name != NORTHWIND else "USD"
    if currency != "USD" and not CurrencyRate.objects.filter(currency=currency).exists():
        # Invoices need the day's dollar rate (SPEC §3.4). The migrations load a starting
        # euro rate; a database without one (a test database after a flush) gets dollars.
        currency = "USD"
    for k, model in enumerate(models):
        h.sale(
            org.pk,
            day_in(quarter, k, len(models)),
            amount,
            engagement_model=model,
            currency=currency,
        )
    if first:
        # Internal use (NFR): invoiced, never counted.
        h.sale(org.pk, day_in(quarter, 0, 2), Decimal("2000"), personal=True, currency=currency)


def _northwind_extras(h: History, org, span: list[Quarter], members: list[Person]) -> None:
    """A renewal of a first-quarter sale a year on, an upgrade three months after a sale,
    a partly credited sale, the training and certification its tier asks for, and its
    level-1 support validated before the history starts."""
    first = h.sale(org.pk, day_in(span[0], 0, 4), Decimal("6000"), engagement_model="partner_owned")
    h.sale(
        org.pk,
        day_in(span[-1], 0, 4),
        Decimal("6000"),
        engagement_model="partner_owned",
        kind="renewal",
        previous=first,
    )
    owned = {"engagement_model": "partner_owned"}
    sold = h.sale(org.pk, span[1].start + datetime.timedelta(days=10), Decimal("4000"), **owned)
    h.sale(
        org.pk,
        span[2].start + datetime.timedelta(days=20),
        Decimal("1500"),
        kind="upgrade",
        previous=sold,
        **owned,
    )
    h.sale(org.pk, day_in(span[2], 2, 3), Decimal("3000"), credited=Decimal("1000"), **owned)
    trained = set(
        SalesTraining.objects.filter(organisation=org).values_list("membership_id", flat=True)
    )
    for person in members:
        # partners.demo records the sales member's training (recently): the others had
        # theirs when the history starts.
        if person.membership_id not in trained:
            h.trained(person, span[0].start)
        h.certified(person, span[0].start, span[0].start.replace(year=span[0].start.year + 3))
    Organisation.objects.filter(pk=org.pk, level1_support_validated_on__isnull=True).update(
        # A plain update: the demo's starting state, not a change to record in its history.
        level1_support_validated_on=span[0].start
    )
