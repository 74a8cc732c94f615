"""How many invoice PDFs the portal renders per second, against bare WeasyPrint.

Fills a benchmark database with the Vates programme, its catalogue, the vendor and one
German reseller (reverse charge), places orders through the service (each issues its
invoice), then times billing.services.invoice_pdfs.invoice_render_document, what the
Celery task ``billing.render_invoice_pdf`` runs: the invoice read, its HTML rendered from
the template, WeasyPrint's PDF/A-3b, the EN 16931 XML built and checked against the
schema and embedded by factur-x, the file stored with its SHA-256 and the row updated.
The same HTML rendered by bare WeasyPrint (``HTML(string=...).write_pdf()``: no PDF/A, no
XML, nothing stored) is the baseline. Each is run in 1 and 2 worker processes (as Celery
runs one task at a time per worker process), after a warm-up render in each process.

    .venv/bin/python bench/invoice_pdfs.py \\
        --database-url postgres://postgres@127.0.0.1:5432/portal_bench_invoices

It uses its own database (created if missing) and a temporary private storage directory.
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import statistics
import tempfile
import time

from scratch import add_database_argument, scratch_database

CONTEXT = "bench:invoice-pdfs"
WORKERS = (1, 2)
#: (product, quantity) within each plan's minimum and maximum hosts, all in USD.
PRODUCTS = (("pro", 3), ("essential", 2), ("essential-plus", 3))


def _setup(database_url: str, private_root: str, parser=None) -> None:
    scratch_database(
        parser or argparse.ArgumentParser(),
        database_url,
        PRIVATE_MEDIA_ROOT=private_root,
        REDIS_URL="",  # no broker: the renders are run (and timed) here
    )
    # Placing an order enqueues its invoice's render and emails: this script renders the
    # invoices itself, timed, and sends nothing.
    from billing import tasks

    for task in (tasks.render_invoice_pdf, tasks.send_invoice_email, tasks.send_order_email):
        task.delay_on_commit = lambda **kwargs: None


def _reseller():
    from billing.models import BillingAccount
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
            name="Bench Invoices Reseller",
            defaults={
                "country": "DE",
                "partner_type": partner_type,
                "tier": Tier.objects.get(partner_type=partner_type, level=1),
                "status": "active",
            },
        )
        BillingAccount.objects.get_or_create(
            organisation=organisation,
            defaults={
                "legal_name": "Bench Invoices GmbH",
                "address": "Am Sandtorkai 12\n20457 Hamburg",
                "country": "DE",
                "vat_number": "DE136695976",
                "vat_number_valid": True,
                "invoice_email": "rechnungen@bench.example",
            },
        )
    return organisation


def _invoices(organisation, *, lines: int, count: int) -> list[str]:
    """``count`` invoices of ``lines`` lines, issued by placing orders."""
    from billing.models import Invoice
    from billing.services.orders import order_place
    from portal.tenancy.context import tenant_context

    body = {
        "customer_name": "Acme Hospital",
        "customer_country": "DE",
        "customer_email": "it@acme-hospital.example",
        "billing_period": "yearly",
        "space": "reseller",
        "lines": [
            {"product": code, "quantity": quantity}
            for code, quantity in (PRODUCTS[i % len(PRODUCTS)] for i in range(lines))
        ],
    }
    ids = []
    with tenant_context(organisation.pk):
        for _ in range(count):
            order = order_place(
                organisation=organisation, actor=None, role="admin", data=body
            ).order
            ids.append(str(Invoice.objects.get(order=order).pk))
    return ids


def _html(organisation, invoice_id: str) -> str:
    from billing import invoice_documents
    from billing.models import Invoice
    from portal.tenancy.context import tenant_context

    with tenant_context(organisation.pk):
        invoice = Invoice.objects.get(pk=invoice_id)
        return invoice_documents.invoice_html(invoice)


def _steps(organisation, invoice_id: str, repeat: int) -> dict[str, float]:
    """Median milliseconds of each step of one render, in this process."""
    from weasyprint import HTML

    from billing import facturx, invoice_documents
    from billing.models import Invoice
    from portal.tenancy.context import tenant_context

    timings: dict[str, list[float]] = {}

    def timed(step, call, *args, **kwargs):
        t0 = time.perf_counter()
        result = call(*args, **kwargs)
        timings.setdefault(step, []).append((time.perf_counter() - t0) * 1000)
        return result

    def write_pdf(html, **options):
        return HTML(string=html).write_pdf(**options)

    with tenant_context(organisation.pk):
        invoice = Invoice.objects.select_related("order").get(pk=invoice_id)
        for _ in range(repeat + 1):  # the first is a warm-up, dropped below
            context = timed("context (rows, vendor)", invoice_documents.invoice_context, invoice)
            vendor = context["vendor"]
            html = timed("HTML template", invoice_documents.invoice_html, invoice, context)
            timed("bare WeasyPrint", write_pdf, html)
            pdf = timed(
                "WeasyPrint PDF/A-3b", write_pdf, html, pdf_variant=invoice_documents.PDF_VARIANT
            )
            xml = timed(
                "EN 16931 XML", facturx.invoice_xml, invoice, lines=context["lines"], vendor=vendor
            )
            timed(
                "factur-x (XSD check, embed)",
                facturx.facturx_pdf,
                pdf,
                xml,
                invoice=invoice,
                vendor=vendor,
            )
    return {step: statistics.median(values[1:]) for step, values in timings.items()}


# --- worker processes ----------------------------------------------------------------------


def _pipeline_worker(database_url, private_root, organisation_id, warm_up_id, ids, barrier):
    """One worker process: warm up, wait for the others, render ``ids`` as the task does."""
    _setup(database_url, private_root)
    from billing import invoice_documents
    from billing.models import Invoice
    from billing.services.invoice_pdfs import invoice_render_document
    from portal.tenancy.context import tenant_context

    with tenant_context(organisation_id):
        invoice_documents.invoice_pdf(Invoice.objects.get(pk=warm_up_id))  # fonts, schemas
    barrier.wait()
    timings = []
    started = time.monotonic()
    for invoice_id in ids:
        t0 = time.perf_counter()
        with tenant_context(organisation_id):  # as the task runs: the tenant's context
            document = invoice_render_document(invoice_id=invoice_id)
        timings.append(time.perf_counter() - t0)
        assert document.status == "ready", invoice_id
    return started, time.monotonic(), timings


def _weasyprint_worker(html: str, count: int, barrier):
    from weasyprint import HTML

    HTML(string=html).write_pdf()  # warm-up
    barrier.wait()
    timings = []
    started = time.monotonic()
    for _ in range(count):
        t0 = time.perf_counter()
        HTML(string=html).write_pdf()
        timings.append(time.perf_counter() - t0)
    return started, time.monotonic(), timings


def _run(workers: int, target, per_worker_args) -> tuple[float, list[float]]:
    """Start ``workers`` processes (spawned: each sets Django up alone), let them start
    together, and return the wall time from the first start to the last end."""
    context = multiprocessing.get_context("spawn")
    with context.Manager() as manager:
        barrier = manager.Barrier(workers)
        with context.Pool(workers) as pool:
            results = pool.starmap(target, [(*args, barrier) for args in per_worker_args])
    wall = max(end for _, end, _ in results) - min(start for start, _, _ in results)
    return wall, [t for _, _, timings in results for t in timings]


def _split(items: list, parts: int) -> list[list]:
    return [items[i::parts] for i in range(parts)]


def _best(results: list[tuple[float, list[float]]], count: int) -> tuple[float, float]:
    """The best round's PDFs per second and its median render in ms (on a machine shared
    with other work the best round is the least disturbed one)."""
    wall, timings = min(results, key=lambda result: result[0])
    return count / wall, statistics.median(timings) * 1000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    add_database_argument(parser)
    parser.add_argument("--invoices", type=int, default=20, help="PDFs per measurement")
    parser.add_argument("--lines", type=int, default=1, help="lines per invoice")
    parser.add_argument("--rounds", type=int, default=3, help="measurements, best kept")
    args = parser.parse_args()
    if not 1 <= args.invoices <= 500 or not 1 <= args.lines <= 50 or not 1 <= args.rounds <= 10:
        parser.error("--invoices 1-500, --lines 1-50, --rounds 1-10")
    with tempfile.TemporaryDirectory(prefix="invoice-pdfs-") as private_root:
        _setup(args.database_url, private_root, parser)
        import django
        from django.core.management import call_command
        from django.db import connections

        call_command("migrate", verbosity=0)
        organisation = _reseller()
        per_run = args.invoices
        ids = _invoices(
            organisation, lines=args.lines, count=1 + per_run * len(WORKERS) * args.rounds
        )
        warm_up, ids = ids[0], ids[1:]
        html = _html(organisation, warm_up)
        steps = _steps(organisation, warm_up, repeat=10)
        connections.close_all()  # the worker processes open their own

        # Rounds alternate the two renderers, so that other load on the machine weighs
        # on both alike.
        pipeline: dict[int, list] = {workers: [] for workers in WORKERS}
        bare: dict[int, list] = {workers: [] for workers in WORKERS}
        for _ in range(args.rounds):
            for workers in WORKERS:
                batch, ids = ids[:per_run], ids[per_run:]
                pipeline[workers].append(
                    _run(
                        workers,
                        _pipeline_worker,
                        [
                            (args.database_url, private_root, str(organisation.pk), warm_up, part)
                            for part in _split(batch, workers)
                        ],
                    )
                )
                counts = [len(part) for part in _split(list(range(per_run)), workers)]
                bare[workers].append(_run(workers, _weasyprint_worker, [(html, n) for n in counts]))

        print(
            f"nproc {os.cpu_count()}  Django {django.get_version()}  {per_run} invoices of "
            f"{args.lines} line(s) per measurement, best of {args.rounds} rounds"
        )
        print(f"{'':<28} {'workers':>7} {'PDFs/s':>7} {'p50 ms':>7}")
        rates = {}
        for label, results in (
            ("portal (HTML + Factur-X)", pipeline),
            ("bare WeasyPrint (same HTML)", bare),
        ):
            for workers in WORKERS:
                rate, p50 = _best(results[workers], per_run)
                rates[label, workers] = rate
                print(f"{label:<28} {workers:>7} {rate:>7.1f} {p50:>7.0f}")
        for workers in WORKERS:
            ratio = (
                rates["portal (HTML + Factur-X)", workers]
                / rates["bare WeasyPrint (same HTML)", workers]
            )
            print(f"portal / bare WeasyPrint, {workers} worker(s): {ratio:.2f}")
        print("one render's steps in one process (median ms of 10):")
        for step, ms in steps.items():
            print(f"  {step:<28} {ms:>7.1f}")


if __name__ == "__main__":
    main()
