"""The quarterly tier evaluation for many partners, against the raw aggregation it runs.

Creates a scratch database (dropped at the end unless --keep), migrates it, loads the
Vates programme and catalogue, and seeds N partners of the programme's types and tiers
with three members each and a year of history through pes.history (the demo's writer):
orders of every kind and engagement model with their deals, licences and invoices, credit
notes, internal use, points with approved claims, webinars attended, training records.
Then it prints:

* the seeding time;
* the raw aggregation: ``pes.measures.measure()`` for the quarter (median of --runs);
* the full evaluation: ``pes.services.evaluation.evaluate_quarter`` for the same quarter,
  first run (records written, second-failure transitions applied: the quarter before was
  evaluated first, untimed) and re-runs (records replaced, median), with the number of
  SQL statements each ran;
* evaluation / aggregation (the target: within 3x, seconds not minutes).

    .venv/bin/python bench/evaluation.py \\
        --database-url postgres://postgres@127.0.0.1:5432/portal_bench_evaluation --partners 10000
"""

from __future__ import annotations

import argparse
import datetime
import os
import random
import statistics
import sys
import time
from decimal import Decimal

from scratch import add_database_argument, scratch_database

MEMBERS = ("admin", "sales", "technical")
# Partner types of the Vates programme, how common each is, and tier levels by weight.
TYPES = {"reseller": 50, "msp": 15, "csp": 15, "distributor": 5, "order_taker": 15}
TIER_WEIGHTS = {1: 60, 2: 25, 3: 10, 4: 5}
MODELS = ("partner_owned", "co_led_partner", "co_led_vendor", "late_involvement")
COUNTRIES = ["DE", "FR", "US", "GB", "NL", "ES", "IT", "SE", "PL", "BR", "IN", "JP"]


def _analyze(database_url: str) -> None:
    """Fresh statistics, as autovacuum gives a live database after such growth. As the
    login role: Django's connection runs as the application role, which owns no table
    (its ANALYZE skips every one, and the planner would guess a few rows a table)."""
    import psycopg2

    connection = psycopg2.connect(database_url)
    connection.autocommit = True
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    connection.close()


def _drop(database_url: str) -> None:
    from urllib.parse import urlparse

    import psycopg2
    from psycopg2 import sql

    url = urlparse(database_url)
    admin = psycopg2.connect(database_url.replace(url.path, "/postgres", 1))
    admin.autocommit = True
    with admin.cursor() as cursor:
        cursor.execute(
            sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(
                sql.Identifier(url.path.lstrip("/"))
            )
        )
    admin.close()


def _partners(n: int, rng: random.Random):
    """N active partners with three members each (bulk), a tenth of the resellers
    supplied by a distributor."""
    from django.contrib.auth import get_user_model

    from partners.models import Membership, Organisation, Programme

    programme = Programme.objects.get(code="vates")
    types = {t.code: t for t in programme.types.prefetch_related("tiers")}
    tiers = {code: {t.level: t for t in types[code].tiers.all()} for code in types}
    organisations = []
    for i in range(n):
        code = rng.choices(list(TYPES), weights=list(TYPES.values()))[0]
        levels = [lv for lv in TIER_WEIGHTS if lv in tiers[code]]
        level = rng.choices(levels, weights=[TIER_WEIGHTS[lv] for lv in levels])[0]
        organisations.append(
            Organisation(
                name=f"Bench partner {i:05d}",
                country=rng.choice(COUNTRIES),
                partner_type=types[code],
                tier=tiers[code][level],
                status=Organisation.Status.ACTIVE,
                joined_on=datetime.date(2024 + (i % 3 == 0), 1 + i % 12, 1 + i % 28),
                level1_support_validated_on=datetime.date(2024, 6, 1),
            )
        )
    Organisation.objects.bulk_create(organisations, batch_size=2000)
    distributors = [o for o in organisations if o.partner_type.code == "distributor"]
    supplied = [
        o for o in organisations if o.partner_type.code == "reseller" and rng.random() < 0.1
    ]
    for reseller in supplied:
        reseller.distributor = rng.choice(distributors)
    Organisation.objects.bulk_update(supplied, ["distributor"], batch_size=2000)

    user_model = get_user_model()
    users = [
        user_model(
            email=f"{role}{i:05d}@bench.example",
            full_name=f"{role.title()} {i:05d}",
            password="!",  # noqa: S106 - an unusable password: nobody logs in
        )
        for i in range(n)
        for role in MEMBERS
    ]
    user_model.objects.bulk_create(users, batch_size=5000)
    memberships = [
        Membership(
            organisation=organisations[k // len(MEMBERS)],
            user=user,
            role=MEMBERS[k % len(MEMBERS)],
        )
        for k, user in enumerate(users)
    ]
    Membership.objects.bulk_create(memberships, batch_size=5000)
    return organisations, memberships


def _activities(programme):
    from pes.models import Activity

    if not Activity.objects.filter(programme=programme).exists():
        Activity.objects.bulk_create(
            [
                Activity(
                    programme=programme,
                    code="case-study",
                    name="Customer case study",
                    category="marketing",
                    points=40,
                ),
                Activity(
                    programme=programme,
                    code="event-talk",
                    name="Talk at an event",
                    category="marketing",
                    points=25,
                    claimable=True,
                ),
                Activity(
                    programme=programme,
                    code="partner-led-renewal",
                    name="A partner-led renewal",
                    category="sales",
                    points=10,
                    claimable=False,
                    auto_event="partner_led_renewal",
                ),
            ]
        )
    return list(Activity.objects.filter(programme=programme).order_by("code"))


def _history(organisations, memberships, quarters, rng: random.Random):
    """A year (and a quarter) of history per partner, shaped by its tier's requirements:
    most partners meet them every quarter; a few miss them in some quarters (a co-led
    heavy quarter), fewer in every one. Bigger tiers sell more and bigger; renewals of the
    sales four quarters before, upgrades, cancellations, credit notes, sales in euros,
    internal use."""
    from pes.history import History, Person
    from pes.history.plan import day_in

    activities = _activities(organisations[0].partner_type.programme)
    claimable = [a for a in activities if a.claimable]
    event = next(a for a in activities if a.auto_event)
    people = {}
    for membership in memberships:
        people.setdefault(membership.organisation_id, []).append(Person.of(membership))
    h = History()
    for org in organisations:
        tier = org.tier
        misses = rng.choices((0.0, 0.5, 1.0), weights=(88, 6, 6))[0]
        n = 1 + tier.level
        amount = max(Decimal(2000), tier.min_gross_invoiced * Decimal("1.3") / (4 * n))
        sold = {}
        for qi, quarter in enumerate(quarters):
            sold[qi] = []
            missed = rng.random() < misses
            mix = (0.4, 0.5, 0.1) if missed else (0.85, 0.08, 0.07)
            counts = [round(n * f) for f in mix]
            models = (
                ["partner_owned"] * counts[0]
                + [rng.choice(("co_led_partner", "co_led_vendor")) for _ in range(counts[1])]
                + ["late_involvement"] * (n - counts[0] - counts[1])
            )
            for k, model in enumerate(models):
                extra = {"distributor_id": org.distributor_id, "engagement_model": model}
                roll = rng.random()
                if qi >= 4 and sold.get(qi - 4) and roll < 0.2:
                    extra.update(kind="renewal", previous=sold[qi - 4].pop())
                elif qi >= 1 and sold.get(qi - 1) and roll < 0.25:
                    extra.update(kind="upgrade", previous=rng.choice(sold[qi - 1]))
                elif roll < 0.27:
                    extra["credited"] = (amount / 4).quantize(Decimal("0.01"))
                elif roll < 0.32:
                    extra["currency"] = "EUR"
                index = h.sale(org.pk, day_in(quarter, k, n), amount, **extra)
                if "kind" not in extra:
                    sold[qi].append(index)
            if rng.random() < 0.05:
                day = day_in(quarter, 1, 3)
                h.sale(org.pk, day, amount, engagement_model="late_involvement", cancelled=True)
            if rng.random() < 0.1:
                h.sale(org.pk, day_in(quarter, 0, 2), 1000, personal=True)
            _quarter_points(h, org, quarter, (tier.min_pes or 40) * 1.3 / 4, claimable, event, rng)
            admin = people[org.pk][0]
            h.attended(admin, day_in(quarter, rng.randint(0, 2), 3))
            for person in people[org.pk][1:]:
                if rng.random() < 0.3:
                    h.attended(person, day_in(quarter, rng.randint(0, 2), 3))
        start = quarters[0].start
        for person in people[org.pk][: max(tier.min_certified_sales or 0, 1)]:
            h.trained(person, start)
        for person in people[org.pk][: max(tier.min_certified_technical or 0, 1)]:
            h.certified(person, start, datetime.date(start.year + 2, start.month, 1))
    return h


def _quarter_points(h, org, quarter, target, claimable, event, rng) -> None:
    from pes.history.plan import day_in

    earned = 0
    while earned < target:
        kind = rng.choice(("adjustment", "event", "claim"))
        activity = {"event": event, "claim": rng.choice(claimable)}.get(kind)
        points = activity.points if activity else rng.choice((10, 20, 50))
        h.points(
            org.pk, day_in(quarter, rng.randint(0, 5), 6), points, kind=kind, activity=activity
        )
        earned += points


def _last_quarters(count: int):
    from django.utils import timezone

    from pes.quarters import Quarter

    quarter = Quarter.containing(timezone.localdate()).previous()
    quarters = [quarter]
    while len(quarters) < count:
        quarters.insert(0, quarters[0].previous())
    return quarters


def _timed(fn, runs: int):
    timings = []
    result = None
    for _ in range(runs):
        started = time.perf_counter()
        result = fn()
        timings.append(time.perf_counter() - started)
    return statistics.median(timings), result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    add_database_argument(parser)
    parser.add_argument("--partners", type=int, default=10000)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--seed", type=int, default=13)
    parser.add_argument("--keep", action="store_true", help="Keep the database afterwards.")
    args = parser.parse_args()
    if not 1 <= args.partners <= 100_000:
        parser.error("--partners: 1 to 100000")

    if args.database_url and "bench" in args.database_url:
        _drop(args.database_url)  # a fresh scratch database for every run
    scratch_database(parser, args.database_url)
    try:
        _run(args)
    finally:
        from django.db import connections

        connections.close_all()
        if not args.keep:
            _drop(args.database_url)


def _run(args) -> None:
    import django
    from django.core.management import call_command
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from pes.history import history_write
    from pes.measures import Period, measure
    from pes.services.evaluation import evaluate_quarter
    from portal.celery import app
    from portal.tenancy.context import system_context

    # As deployed: tasks (the partners' emails) are enqueued through the outbox in the
    # evaluation's transaction, and sent by workers, not run in this process.
    app.conf.task_always_eager = False
    quiet = open(os.devnull, "w")  # noqa: SIM115
    call_command("migrate", verbosity=0)
    call_command("load_programme", "vates", "--default", stdout=quiet)
    call_command("load_catalogue", "vates", stdout=quiet)
    rng = random.Random(args.seed)  # noqa: S311 - reproducible data, not secrets
    quarters = _last_quarters(5)
    quarter = quarters[-1]

    print(
        f"nproc {os.cpu_count()}  Django {django.get_version()}  partners {args.partners}  "
        f"quarter {quarter}  history {quarters[0]}..{quarter}"
    )
    started = time.perf_counter()
    with system_context("bench:evaluation"):
        organisations, memberships = _partners(args.partners, rng)
        history = _history(organisations, memberships, quarters, rng)
        written = history_write(history=history)
    _analyze(args.database_url)
    seeding = time.perf_counter() - started
    rows = ", ".join(f"{k} {v}" for k, v in sorted(written.items()))
    print(f"seeding                      {seeding:8.1f} s   ({rows})")

    with system_context("bench:evaluation"):
        period = Period.of_quarter(quarter)
        measure(period=period)  # warm
        raw, measured = _timed(lambda: measure(period=period), args.runs)
        print(
            f"raw aggregation (measure)    {raw:8.2f} s   median of {args.runs}, "
            f"{len(measured)} partners"
        )
        evaluate_quarter(quarter=quarter.previous(), notify=False)  # untimed: Q-1 on record
        connection.queries_log.clear()  # a full log (9,000 entries) would count nothing
        with CaptureQueriesContext(connection) as queries:
            started = time.perf_counter()
            run = evaluate_quarter(quarter=quarter, notify=False)
            first = time.perf_counter() - started
        print(
            f"evaluation, first run        {first:8.2f} s   {len(queries)} SQL statements; "
            f"{run.summary()}"
        )
        reruns = []
        for _ in range(args.runs):
            connection.queries_log.clear()
            with CaptureQueriesContext(connection) as queries:
                started = time.perf_counter()
                evaluate_quarter(quarter=quarter, notify=False)
                reruns.append(time.perf_counter() - started)
        rerun = statistics.median(reruns)
        print(
            f"evaluation, re-run           {rerun:8.2f} s   median of {args.runs}, "
            f"{len(queries)} SQL statements"
        )
    print(f"evaluation / aggregation     {first / raw:8.2f} x (first run)")
    print(f"                             {rerun / raw:8.2f} x (re-run)")
    sys.stdout.flush()


if __name__ == "__main__":
    main()
