"""How many price previews per second: the engine called directly, and the preview API
(``POST /api/v1/pricing/preview``) in-process through Django's test client, logged in as
a demo partner (no network).

    .venv/bin/python bench/pricing.py \\
        --database-url postgres://postgres@127.0.0.1:5432/portal_bench_pricing

It uses its own database (a name containing "bench": created if missing, migrated and
loaded with ``seed_demo``). Each sale is timed for a direct partner (Northwind, a
distributor) and a two-tier one (Bluepeak, buying through Northwind), with the number of
SQL queries one preview runs in the engine.
"""

from __future__ import annotations

import argparse
import json
import os
import time

from scratch import add_database_argument, scratch_database

SALES = {
    "Pro x 3, yearly": {"product": "pro", "quantity": 3, "customer_country": "DE"},
    "three lines, monthly": {
        "lines": [
            {"product": "pro", "quantity": 12},
            {"product": "essential", "quantity": 2},
            {"product": "essential-plus", "quantity": 3},
        ],
        "billing_period": "monthly",
        "customer_country": "FR",
        "customer_nonprofit": True,
    },
}
BUYERS = {"direct": "admin@northwind.example", "two-tier": "admin@bluepeak.example"}


def _rate(call, seconds: float) -> tuple[float, int]:
    """Calls per second of ``call`` over about ``seconds``, and the queries of one call."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    call()  # warm
    with CaptureQueriesContext(connection) as queries:
        call()
    count, started = 0, time.perf_counter()
    while (elapsed := time.perf_counter() - started) < seconds:
        call()
        count += 1
    return count / elapsed, len(queries)


def _users() -> dict:
    from partners.models import Membership
    from portal.tenancy.context import system_context

    # The demo accounts' memberships, looked up once before anything is timed.
    with system_context("bench:pricing"):
        return {
            label: Membership.objects.select_related("user", "organisation").get(user__email=email)
            for label, email in BUYERS.items()
        }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    add_database_argument(parser)
    parser.add_argument("--seconds", type=float, default=3.0, help="per measurement")
    args = parser.parse_args()

    scratch_database(parser, args.database_url)
    import django
    from django.core.management import call_command
    from django.test import Client

    from billing.services.pricing import price_sale
    from billing.services.sale_input import sale_request_build
    from portal.tenancy.context import tenant_context

    call_command("migrate", verbosity=0)
    call_command("seed_demo", stdout=open(os.devnull, "w"))  # noqa: SIM115
    memberships = _users()

    print(f"nproc {os.cpu_count()}  Django {django.get_version()}  {args.seconds:g} s each")
    print(f"{'sale':<22} {'buyer':<9} {'path':<7} {'previews/s':>11} {'queries':>8}")
    for label, body in SALES.items():
        for buyer, membership in memberships.items():
            organisation = membership.organisation

            def engine(organisation=organisation, body=body):
                with tenant_context(organisation.pk):
                    price_sale(sale_request_build(organisation=organisation, data=body))

            client = Client()
            client.force_login(membership.user)
            payload = json.dumps(body)

            def api(client=client, payload=payload):
                response = client.post(
                    "/api/v1/pricing/preview", payload, content_type="application/json"
                )
                assert response.status_code == 200, response.content

            for path, call in (("engine", engine), ("API", api)):
                rate, queries = _rate(call, args.seconds)
                # A request's own queries are not counted here (Django resets the query
                # log when a request starts): tests/portal/test_query_counts.py counts them.
                shown = queries if path == "engine" else "-"
                print(f"{label:<22} {buyer:<9} {path:<7} {rate:>11.0f} {shown:>8}")


if __name__ == "__main__":
    main()
