"""How the public partner locator scales with the number of partners.

Fills a benchmark database with N listed partners (plus a share of pending and unlisted
ones that must never show), then times the locator API in-process (Django's test client,
no network) for a plain page, a name search, filters, and a deep page, printing the
median and 95th percentile and the number of SQL queries per request.

    .venv/bin/python bench/directory_scale.py \\
        --database-url postgres://postgres@127.0.0.1:5432/portal_bench_directory

It uses its own database (created if missing, rows added only up to each size).
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import time

from scratch import add_database_argument, scratch_database

SIZES = (100, 1000, 5000)
QUERIES = {
    "first page": "/api/v1/directory",
    "search by name": "/api/v1/directory?search=north",
    "country + type": "/api/v1/directory?country=DE&type=reseller",
    "tier + country": "/api/v1/directory?tier=2&country=FR",
    "last page": "/api/v1/directory?page=last",
}
COUNTRIES = ["DE", "FR", "US", "GB", "NL", "ES", "IT", "SE", "PL", "BR", "IN", "JP"]
WORDS = ["north", "blue", "cloud", "peak", "data", "fjord", "river", "stone", "bright", "core"]


def _fill(target: int) -> None:
    from django.db import connection, transaction

    from partners.models import Organisation, PartnerProfile, Programme
    from portal.tenancy.context import system_context

    with system_context("bench:directory"):
        programme = Programme.objects.get(code="vates")
        types = list(programme.types.prefetch_related("tiers"))
        listed = PartnerProfile.objects.filter(organisation__status="active").count()
        missing = target - listed
        if missing <= 0:
            return
        rng = random.Random(listed)  # noqa: S311 - reproducible data, not secrets
        organisations, profiles = [], []
        for i in range(missing):
            partner_type = rng.choice(types)
            tier = rng.choice(list(partner_type.tiers.all()))
            country = rng.choice(COUNTRIES)
            name = f"{rng.choice(WORDS).title()} {rng.choice(WORDS).title()} {listed + i}"
            # One in ten is pending: it must never show, and costs the query nothing.
            status = "pending" if i % 10 == 9 else "active"
            organisation = Organisation(
                name=name, country=country, partner_type=partner_type, tier=tier, status=status
            )
            organisations.append(organisation)
            profiles.append(
                PartnerProfile(
                    organisation=organisation,
                    display_name=name,
                    description=" ".join(rng.choice(WORDS) for _ in range(40)),
                    city="Somewhere",
                    country=country,
                )
            )
        with transaction.atomic():
            Organisation.objects.bulk_create(organisations, batch_size=1000)
            PartnerProfile.objects.bulk_create(profiles, batch_size=1000)
    # Fresh statistics, as autovacuum would give a live database after such growth.
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE partners_organisation")
        cursor.execute("ANALYZE partners_partnerprofile")


def _measure(client, path: str, repeat: int) -> tuple[float, float, int]:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.get(path)  # warm
    timings = []
    for _ in range(repeat):
        with CaptureQueriesContext(connection) as queries:
            started = time.perf_counter()
            response = client.get(path)
            timings.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200, (path, response.status_code)
    timings.sort()
    return statistics.median(timings), timings[int(len(timings) * 0.95) - 1], len(queries)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    add_database_argument(parser)
    parser.add_argument("--repeat", type=int, default=50)
    args = parser.parse_args()

    scratch_database(parser, args.database_url)
    from django.core.management import call_command
    from django.test import Client

    call_command("migrate", verbosity=0)
    call_command("load_programme", "vates", "--default", stdout=open(os.devnull, "w"))  # noqa: SIM115
    import django

    print(f"nproc {os.cpu_count()}  Django {django.get_version()}  {args.repeat} requests each")
    print(f"{'partners':>9}  {'request':<16} {'p50 ms':>7} {'p95 ms':>7} {'queries':>8}")
    client = Client()
    for size in SIZES:
        _fill(size)
        for label, path in QUERIES.items():
            p50, p95, queries = _measure(client, path, args.repeat)
            print(f"{size:>9}  {label:<16} {p50:>7.1f} {p95:>7.1f} {queries:>8}")


if __name__ == "__main__":
    main()
