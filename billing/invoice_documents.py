"""An invoice's or credit note's PDF, rendered by WeasyPrint from a template."""

from __future__ import annotations

from django.template.loader import render_to_string

from billing.models import Invoice
from portal.vendor.selectors import current_vendor


def invoice_context(invoice: Invoice) -> dict:
    return {
        "invoice": invoice,
        "lines": list(invoice.lines.all()),
        # The vendor as it is when the document is rendered (the stored PDF keeps it).
        "vendor": current_vendor(),
    }


def invoice_html(invoice: Invoice) -> str:
    return render_to_string("billing/pdf/invoice.html", invoice_context(invoice))


def invoice_pdf(invoice: Invoice) -> bytes:
    from weasyprint import HTML  # imported lazily: it loads pango at import

    return HTML(string=invoice_html(invoice)).write_pdf()
