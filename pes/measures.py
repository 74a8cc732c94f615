"""What the tier evaluation measures (SPEC §3.2, §3.4), for every partner at once.

One SQL statement aggregates each figure over all partners (or the few asked for) in a
period: no query per partner. It runs in whatever context the caller is in: the
evaluation's system context sees every partner; a partner's own request sees its own
rows only (row-level security), which is all its status needs.

What counts (SPEC §3.4):

* **Gross invoiced**: issued invoices less credit notes, before partner discount and tax,
  in US dollars at the rate of the invoice date (``Invoice.gross_usd``), over the twelve
  months ending with the period, for the party invoiced (a distributor in a two-tier
  sale). Invoices of internal-use orders (the personal space: NFR) never count.
* **Customer sales**: the period's orders in the reseller space, not cancelled: new sales,
  renewals, and upgrades placed at least three months after the licence's previous
  order (billing.selectors.sales.counts_as_customer_sale is the same rule for one order;
  tests/pes/test_measures.py holds them to the same answers). A sale counts for the
  partner that bought it and for the distributor that supplied it: a distributor's
  targets are about its network's sales. Its engagement model is the order's (its
  approved deal registration's, late involvement without one).
* **Engagement score**: points earned over the twelve months (pes.selectors.score).
* **Sessions**: sessions starting in the twelve months that someone of the organisation
  attended, each counted once (partners.selectors.sessions).
* **Certified people**: current members with the sales training attended, and with a
  technical certification valid, on the period's last day (partners.selectors.training).
* **Level-1 support**: validated by the channel team on or before the period's last day.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from django.db import connection
from django.utils import timezone

from billing.selectors.sales import UPGRADE_COUNTS_AFTER_MONTHS
from pes.quarters import Quarter


@dataclass(frozen=True)
class Period:
    """The quarter measured (``start``..``end``) and the twelve months ending with it."""

    start: datetime.date
    end: datetime.date
    trailing_start: datetime.date

    @classmethod
    def of_quarter(cls, quarter: Quarter, *, until: datetime.date | None = None) -> Period:
        """The whole quarter, or (``until`` inside it) the quarter so far."""
        end = quarter.end if until is None or until >= quarter.end else until
        return cls(start=quarter.start, end=end, trailing_start=_year_before(end))


def _year_before(end: datetime.date) -> datetime.date:
    try:
        start = end.replace(year=end.year - 1)
    except ValueError:  # 29 February
        start = end.replace(year=end.year - 1, day=28)
    return start + datetime.timedelta(days=1)


@dataclass(frozen=True)
class Measures:
    gross_invoiced: Decimal = Decimal("0")
    sales: int = 0
    partner_owned: int = 0
    co_led: int = 0
    late_involvement: int = 0
    pes: int = 0
    sessions: int = 0
    certified_sales: int = 0
    certified_technical: int = 0
    level1_support: bool = False

    def as_json(self) -> dict:
        return {
            "gross_invoiced": str(self.gross_invoiced),
            "sales": self.sales,
            "partner_owned": self.partner_owned,
            "co_led": self.co_led,
            "late_involvement": self.late_involvement,
            "pes": self.pes,
            "sessions": self.sessions,
            "certified_sales": self.certified_sales,
            "certified_technical": self.certified_technical,
            "level1_support": self.level1_support,
        }


def _day_start(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))


MEASURES_SQL = """
WITH orgs AS (
    SELECT o.id, o.level1_support_validated_on
    FROM partners_organisation o
    WHERE (%(all)s OR o.id = ANY(%(ids)s::uuid[]))
),
gross AS (
    SELECT i.organisation_id AS org,
           SUM(CASE WHEN i.kind = 'credit_note' THEN -i.gross_usd ELSE i.gross_usd END) AS usd
    FROM billing_invoice i
    LEFT JOIN billing_invoice credited ON credited.id = i.credited_invoice_id
    LEFT JOIN billing_order ord ON ord.id = COALESCE(i.order_id, credited.order_id)
    WHERE i.issued_on BETWEEN %(trailing_start)s AND %(end)s
      AND (ord.id IS NULL OR ord.space <> 'personal')
      AND i.organisation_id IN (SELECT id FROM orgs)
    GROUP BY i.organisation_id
),
quarter_sales AS (
    SELECT o.organisation_id, o.distributor_id, o.engagement_model
    FROM billing_order o
    LEFT JOIN LATERAL (
        -- An upgrade's previous sale: the latest earlier order of a licence it changed.
        SELECT MAX(earlier.created_at) AS placed_at
        FROM billing_orderline line
        JOIN billing_orderline earlier_line ON earlier_line.licence_id = line.licence_id
        JOIN billing_order earlier ON earlier.id = earlier_line.order_id
        WHERE o.kind = 'upgrade' AND line.order_id = o.id
          AND earlier.id <> o.id AND earlier.created_at < o.created_at
    ) previous ON true
    WHERE o.created_at >= %(start_at)s AND o.created_at < %(end_at)s
      AND o.space = 'reseller' AND o.status <> 'cancelled'
      AND (o.kind <> 'upgrade' OR previous.placed_at IS NULL
           OR (o.created_at AT TIME ZONE %(tz)s)::date
              >= ((previous.placed_at AT TIME ZONE %(tz)s)::date
                  + make_interval(months => %(upgrade_months)s))::date)
),
sales AS (
    SELECT credited_to AS org,
           COUNT(*) AS total,
           COUNT(*) FILTER (WHERE engagement_model = 'partner_owned') AS partner_owned,
           COUNT(*) FILTER (WHERE engagement_model IN ('co_led_partner', 'co_led_vendor'))
               AS co_led,
           COUNT(*) FILTER (WHERE engagement_model NOT IN
               ('partner_owned', 'co_led_partner', 'co_led_vendor')) AS late_involvement
    FROM (
        SELECT organisation_id AS credited_to, engagement_model FROM quarter_sales
        UNION ALL
        SELECT distributor_id, engagement_model FROM quarter_sales
        WHERE distributor_id IS NOT NULL
    ) counted
    WHERE credited_to IN (SELECT id FROM orgs)
    GROUP BY credited_to
),
points AS (
    SELECT p.organisation_id AS org, SUM(p.points) AS total
    FROM pes_pointsentry p
    WHERE p.kind <> 'redemption' AND p.earned_on BETWEEN %(trailing_start)s AND %(end)s
      AND p.organisation_id IN (SELECT id FROM orgs)
    GROUP BY p.organisation_id
),
attended AS (
    SELECT r.organisation_id AS org, COUNT(DISTINCT r.session_id) AS total
    FROM partners_sessionregistration r
    JOIN partners_session s ON s.id = r.session_id
    WHERE r.status = 'attended'
      AND s.starts_at >= %(trailing_start_at)s AND s.starts_at < %(end_at)s
      AND r.organisation_id IN (SELECT id FROM orgs)
    GROUP BY r.organisation_id
),
certified AS (
    SELECT m.organisation_id AS org,
           COUNT(*) FILTER (WHERE EXISTS (
               SELECT 1 FROM partners_salestraining t
               WHERE t.membership_id = m.id AND t.organisation_id = m.organisation_id
                 AND t.attended_on <= %(end)s)) AS sales,
           COUNT(*) FILTER (WHERE EXISTS (
               SELECT 1 FROM partners_technicalcertification c
               WHERE c.membership_id = m.id AND c.organisation_id = m.organisation_id
                 AND c.obtained_on <= %(end)s
                 AND (c.expires_on IS NULL OR c.expires_on >= %(end)s))) AS technical
    FROM partners_membership m
    WHERE m.organisation_id IN (SELECT id FROM orgs)
    GROUP BY m.organisation_id
)
SELECT orgs.id,
       COALESCE(gross.usd, 0),
       COALESCE(sales.total, 0), COALESCE(sales.partner_owned, 0),
       COALESCE(sales.co_led, 0), COALESCE(sales.late_involvement, 0),
       COALESCE(points.total, 0),
       COALESCE(attended.total, 0),
       COALESCE(certified.sales, 0), COALESCE(certified.technical, 0),
       COALESCE(orgs.level1_support_validated_on <= %(end)s, false)
FROM orgs
LEFT JOIN gross ON gross.org = orgs.id
LEFT JOIN sales ON sales.org = orgs.id
LEFT JOIN points ON points.org = orgs.id
LEFT JOIN attended ON attended.org = orgs.id
LEFT JOIN certified ON certified.org = orgs.id
"""


def measure(*, period: Period, organisation_ids: Iterable | None = None) -> dict:
    """{organisation id: Measures} for every organisation visible (``organisation_ids``
    None) or the ones named. One query."""
    ids = None if organisation_ids is None else [str(i) for i in organisation_ids]
    params = {
        "all": ids is None,
        "ids": ids or [],
        "start_at": _day_start(period.start),
        "end_at": _day_start(period.end + datetime.timedelta(days=1)),
        "trailing_start": period.trailing_start,
        "trailing_start_at": _day_start(period.trailing_start),
        "end": period.end,
        "tz": timezone.get_current_timezone_name(),
        "upgrade_months": UPGRADE_COUNTS_AFTER_MONTHS,
    }
    with connection.cursor() as cursor:
        cursor.execute(MEASURES_SQL, params)
        rows = cursor.fetchall()
    return {
        row[0]: Measures(
            gross_invoiced=Decimal(row[1]),
            sales=row[2],
            partner_owned=row[3],
            co_led=row[4],
            late_involvement=row[5],
            pes=int(row[6]),
            sessions=row[7],
            certified_sales=row[8],
            certified_technical=row[9],
            level1_support=row[10],
        )
        for row in rows
    }
