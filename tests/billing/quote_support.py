"""Quotes as partners make them (through billing's service), and reading their PDFs."""

from __future__ import annotations

import subprocess

import pytest

from billing.models import Quote
from billing.services.quotes import quote_create
from portal.tenancy.context import tenant_context

FR_VAT = "FR40303265045"


def quote_body(**fields) -> dict:
    """A quote's request body (the API's): Pro x 3 for a German hospital."""
    return {
        "customer_name": "Acme Hospital",
        "customer_country": "DE",
        "customer_email": "it@acme-hospital.example",
        "billing_period": "yearly",
        "lines": [{"product": "pro", "quantity": 3}],
        **fields,
    }


def make_quote(tenant, *, role: str = "admin", **fields) -> Quote:
    with tenant_context(tenant.organisation.pk):
        return quote_create(
            organisation=tenant.organisation,
            actor=tenant.admin,
            role=role,
            data=quote_body(**fields),
        )


def pdf_text(file) -> str:
    file.open("rb")
    try:
        data = file.read()
    finally:
        file.close()
    result = subprocess.run(
        ["pdftotext", "-layout", "-", "-"], input=data, capture_output=True, check=True
    )
    return result.stdout.decode()


@pytest.fixture
def private_media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.PRIVATE_MEDIA_ROOT = tmp_path / "private"
    return tmp_path


def quote_of(organisation, *, status: str = "", ready: bool = False, **fields) -> Quote:
    """A quote of ``organisation`` (Pro x 3, its programme's catalogue given a Pro plan),
    made through the service as its administrator; ``status="sent"`` sends it to the
    customer; ``ready`` stores small PDFs in place of the rendered ones."""
    from django.core.files.base import ContentFile

    from billing.services.quotes import quote_send_to_customer
    from tests.billing.factories import sellable_product
    from tests.partners.factories_onboarding import TINY_PDF
    from tests.tenancy_support import observer

    sellable_product(organisation)
    with observer():
        quote = quote_create(
            organisation=organisation, actor=None, role="admin", data=quote_body(**fields)
        )
        if status == "sent":
            quote = quote_send_to_customer(quote=quote, actor=None, role="admin")
        if ready:
            quote.pdf.save("q.pdf", ContentFile(TINY_PDF), save=False)
            quote.customer_pdf.save("q-customer.pdf", ContentFile(TINY_PDF), save=False)
            quote.pdf_status = Quote.PdfStatus.READY
            quote.save()
    return quote
