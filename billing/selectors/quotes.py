"""Reading quotes: the owner's, and (as a distributor) those made through it, read-only."""

from __future__ import annotations

import django_filters
from django.db.models import QuerySet
from django.db.models.fields.files import FieldFile

from billing.models import Quote
from partners.models import Organisation
from portal.filters import TextSearchFilter
from portal.tenancy.models import get_for_tenant_or_404

#: The quote's documents, by the name their download URLs use.
DOCUMENT_FIELDS = {"pdf": "pdf", "customer-pdf": "customer_pdf"}
_FILE_SUFFIX = {"pdf": "", "customer-pdf": "-customer"}


def quotes_for(*, organisation: Organisation) -> QuerySet[Quote]:
    """The quotes the organisation owns or supplied, newest first, with what a list shows
    (the order made from each): one query for a page whatever its length."""
    return (
        Quote.objects.for_tenant(organisation)
        .select_related("organisation", "distributor", "order")
        .order_by("-created_at", "-id")
    )


def quote_for(*, organisation: Organisation, quote_id) -> Quote:
    """One quote the organisation may read, with its lines (404 for a missing one and
    another's alike)."""
    return get_for_tenant_or_404(
        Quote.objects.select_related(
            "organisation__partner_type", "distributor", "deal", "order"
        ).prefetch_related("lines"),
        organisation,
        pk=quote_id,
    )


def quote_is_supplied(quote: Quote, *, organisation: Organisation) -> bool:
    """True when ``organisation`` reads the quote as the distributor it was made through."""
    return quote.organisation_id != organisation.pk


def quote_order(quote: Quote):
    """The order made from the quote, or None (read from the select_related cache)."""
    return getattr(quote, "order", None)


def quote_document(*, quote: Quote, kind: str) -> tuple[FieldFile, str] | None:
    """The stored file of one of the quote's documents and its download name, or None
    (unknown kind, not rendered yet). The caller has checked who may have it."""
    field = DOCUMENT_FIELDS.get(kind)
    if field is None or quote.pdf_status != Quote.PdfStatus.READY:
        return None
    file = getattr(quote, field)
    if not file:
        return None
    return file, f"quote-{quote.reference}{_FILE_SUFFIX[kind]}.pdf"


class QuoteFilterSet(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(
        choices=Quote.Status.choices,
        label="Status",
        error_messages={"invalid_choice": "%(value)s is not a quote status."},
    )
    search = TextSearchFilter(
        fields=("reference", "customer_name", "customer_email"),
        max_length=200,
        label="Search (reference, customer, email)",
    )

    class Meta:
        model = Quote
        fields: list[str] = []


def quote_documents_for(*, organisation: Organisation) -> QuerySet[Quote]:
    """The organisation's own quotes for its Documents page, newest first, each with its
    two PDFs once rendered (the quotes of a distributor's resellers stay theirs: the
    distributor reads them on its Quotes page). One query for a page, whatever its length."""
    return Quote.objects.owned_by(organisation).order_by("-created_at", "-id")
