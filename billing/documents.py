"""The quote's two PDF documents, rendered by WeasyPrint from templates: the partner's
copy (its discount and price, marked not for the customer) and the customer-facing copy
(list, charity discount and the price to the customer, never the partner's discount or
net)."""

from __future__ import annotations

from django.template.loader import render_to_string
from django.utils import timezone

from billing.models import Quote
from portal.vendor.selectors import current_vendor


def _context(quote: Quote) -> dict:
    return {
        "quote": quote,
        "lines": list(quote.lines.all()),
        "organisation": quote.organisation,
        "programme": quote.organisation.partner_type.programme,
        "issued_on": timezone.localdate(),
        # The vendor as it is when the document is rendered (the stored PDF keeps it).
        "vendor": current_vendor(),
    }


def _pdf(template: str, context: dict) -> bytes:
    from weasyprint import HTML  # imported lazily: it loads pango at import

    return HTML(string=render_to_string(template, context)).write_pdf()


def quote_partner_pdf(quote: Quote) -> bytes:
    return _pdf("billing/pdf/quote_partner.html", _context(quote))


def quote_customer_pdf(quote: Quote) -> bytes:
    return _pdf("billing/pdf/quote_customer.html", _context(quote))
