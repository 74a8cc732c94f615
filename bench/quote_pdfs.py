"""How many quote PDFs the portal renders per second.

Fills a benchmark database with the Vates programme, its catalogue, the vendor and one
reseller, makes N quotes through the service (billing.services.quotes.quote_create), then
times billing.services.quote_pdfs.quote_render_documents, the function the Celery task
``billing.render_quote_pdf`` runs: each render is the partner's copy and the customer's
copy (two WeasyPrint documents), stored in private storage with their SHA-256. Prints
quotes (pairs of PDFs) per second for quotes of 1, 5 and 20 lines, in one process (a
Celery worker process renders one quote at a time).

    .venv/bin/python bench/quote_pdfs.py \\
        --database-url postgres://postgres@127.0.0.1:5432/portal_bench_quotes

It uses its own database (created if missing) and a temporary private storage directory.
"""

from __future__ import annotations

import argparse
import os
import statistics
import tempfile
import time

from scratch import add_database_argument, scratch_database

LINE_COUNTS = (1, 5, 20)
#: (product, quantity) within each plan's minimum and maximum hosts.
PRODUCTS = (("essential", 2), ("essential-plus", 3), ("pro", 3))  # USD (Enterprise: EUR)
CONTEXT = "bench:quote-pdfs"


def _reseller():
    from licensing.services.catalogue import catalogue_load
    from partners.models import Organisation, PartnerType, Tier
    from partners.services.programme import programme_load
    from portal.demo import VATES
    from portal.tenancy.context import system_context
    from portal.vendor.services import vendor_update

    with system_context(CONTEXT):
        programme = programme_load(code="vates", make_default=True)
        catalogue_load(code="vates")
        vendor_update(changes=VATES, actor=None)
        partner_type = PartnerType.objects.get(programme=programme, code="reseller")
        organisation, _ = Organisation.objects.get_or_create(
            name="Bench Quotes Reseller",
            defaults={
                "country": "FR",
                "partner_type": partner_type,
                "tier": Tier.objects.get(partner_type=partner_type, level=1),
                "status": "active",
            },
        )
    return organisation


def _quotes(organisation, *, lines: int, count: int) -> list:
    from billing.services.quotes import quote_create
    from portal.tenancy.context import tenant_context

    body = {
        "customer_name": "Acme Hospital",
        "customer_country": "DE",
        "customer_email": "it@acme-hospital.example",
        "billing_period": "yearly",
        "lines": [
            {"product": code, "quantity": quantity}
            for code, quantity in (PRODUCTS[i % len(PRODUCTS)] for i in range(lines))
        ],
    }
    with tenant_context(organisation.pk):
        return [
            quote_create(organisation=organisation, actor=None, role="admin", data=body).pk
            for _ in range(count)
        ]


def _render(organisation, quote_ids: list) -> list[float]:
    from billing.services.quote_pdfs import quote_render_documents
    from portal.tenancy.context import tenant_context

    timings = []
    for quote_id in quote_ids:
        with tenant_context(organisation.pk):  # as the task runs: the tenant's context
            started = time.perf_counter()
            quote = quote_render_documents(quote_id=quote_id)
            timings.append(time.perf_counter() - started)
        assert quote.pdf_status == "ready", quote_id
    return timings


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    add_database_argument(parser)
    parser.add_argument("--quotes", type=int, default=20, help="quotes rendered per size")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="quote-pdfs-") as private_root:
        scratch_database(
            parser,
            args.database_url,
            PRIVATE_MEDIA_ROOT=private_root,
            REDIS_URL="",  # no broker: the renders below are run (and timed) here
        )
        import django
        from django.core.management import call_command

        call_command("migrate", verbosity=0)
        # The quotes' own render task would run at each commit without a broker: this
        # script renders them itself, timed.
        from billing import tasks

        tasks.render_quote_pdf.delay_on_commit = lambda **kwargs: None
        organisation = _reseller()
        _render(organisation, _quotes(organisation, lines=1, count=1))  # warm fonts, caches

        print(f"nproc {os.cpu_count()}  Django {django.get_version()}  {args.quotes} quotes each")
        print(f"{'lines':>5}  {'quotes/s':>8} {'PDFs/s':>7} {'p50 ms':>7} {'p95 ms':>7}")
        for lines in LINE_COUNTS:
            timings = _render(organisation, _quotes(organisation, lines=lines, count=args.quotes))
            timings.sort()
            rate = len(timings) / sum(timings)
            p50 = statistics.median(timings) * 1000
            p95 = timings[max(0, int(len(timings) * 0.95) - 1)] * 1000
            print(f"{lines:>5}  {rate:>8.1f} {rate * 2:>7.1f} {p50:>7.0f} {p95:>7.0f}")


if __name__ == "__main__":
    main()
