"""The Documents page (partners) lists the organisation's own quotes, through billing's
selector, with the partner's and the customer's PDFs once rendered and their status
while they render; a quote of another partner, or of a distributor's reseller, is not
there."""

from __future__ import annotations

from django.urls import reverse

from billing.models import Quote
from tests.billing.quote_support import make_quote, private_media, quote_of  # noqa: F401
from tests.tenancy_support import observer

DOCUMENTS = "/space/documents/"


def _download(quote, kind: str) -> str:
    return reverse("billing:quote-download", args=[quote.pk, kind])


def test_the_documents_page_lists_the_quotes_with_their_pdfs(partner, private_media):  # noqa: F811
    reseller = partner("reseller", role="finance")  # any member reads the documents
    ready = quote_of(reseller.organisation, ready=True, customer_name="Clinique du Parc")
    pending = make_quote(reseller, customer_name="Lycee Ampere")
    other = quote_of(partner("reseller").organisation, ready=True, customer_name="Elsewhere SA")

    page = reseller.browser().get(DOCUMENTS).content.decode()

    assert f"Quote {ready.reference}" in page
    assert "Clinique du Parc" in page
    for kind in ("pdf", "customer-pdf"):
        assert _download(ready, kind) in page
        assert _download(pending, kind) not in page
        assert _download(other, kind) not in page
    assert f"Quote {pending.reference}" in page
    assert "Generating the PDFs" in page
    assert "Elsewhere SA" not in page
    # The links it gives download the files.
    response = reseller.browser().get(_download(ready, "customer-pdf"))
    assert response.status_code == 200
    assert b"".join(response.streaming_content).startswith(b"%PDF")


def test_a_failed_render_says_so(partner):
    reseller = partner("reseller")
    quote = make_quote(reseller)
    with observer():
        Quote.objects.filter(pk=quote.pk).update(pdf_status=Quote.PdfStatus.FAILED)

    page = reseller.browser().get(DOCUMENTS).content.decode()

    assert "The PDFs could not be generated" in page


def test_a_distributor_finds_its_own_quotes_not_its_resellers(partner, private_media):  # noqa: F811
    distributor = partner("distributor", tier=2, country="DE")
    reseller = partner("reseller", distributor=distributor.organisation)
    own = quote_of(distributor.organisation, ready=True, customer_name="Hanse Logistik AG")
    supplied = quote_of(reseller.organisation, ready=True, customer_name="Ateliers Rhone")

    page = distributor.browser().get(DOCUMENTS).content.decode()

    assert _download(own, "pdf") in page
    assert _download(supplied, "pdf") not in page
    assert "Ateliers Rhone" not in page


def test_no_quotes_yet(partner):
    page = partner("reseller").browser().get(DOCUMENTS).content.decode()

    assert "No quotes yet." in page
