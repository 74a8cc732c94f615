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
