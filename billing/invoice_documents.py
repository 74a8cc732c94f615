"""An invoice's or credit note's PDF: rendered by WeasyPrint from a template as a PDF/A-3,
with its EN 16931 XML embedded (Factur-X, billing.facturx)."""

from __future__ import annotations

import base64

from django.template.loader import render_to_string

from billing import facturx
from billing.models import Invoice
from billing.money import ZERO
from billing.selectors.invoices import credit_notes_applied, invoice_amount_due
from portal.models import Vendor
from portal.vendor.selectors import current_vendor

#: The PDF/A part and conformance Factur-X requires: PDF/A-3, level B.
PDF_VARIANT = "pdf/a-3b"
LOGO_TYPES = {"png": "image/png", "jpg": "image/jpeg", "jpeg": "image/jpeg", "webp": "image/webp"}


def vendor_logo_data_uri(vendor: Vendor) -> str:
    """The vendor's logo inlined (the renderer fetches nothing), or "" without one."""
    if not vendor.logo:
        return ""
    extension = vendor.logo.name.rsplit(".", 1)[-1].lower()
    content_type = LOGO_TYPES.get(extension)
    if content_type is None:
        return ""
    with vendor.logo.open("rb") as file:
        data = base64.b64encode(file.read()).decode("ascii")
    return f"data:{content_type};base64,{data}"


def invoice_context(invoice: Invoice) -> dict:
    # The vendor as it is when the document is rendered (the stored PDF keeps it).
    vendor = current_vendor()
    applied = list(credit_notes_applied(invoice))
    return {
        "invoice": invoice,
        "credit_notes_applied": applied,
        "amount_due": invoice_amount_due(invoice, applied),
        "lines": list(invoice.lines.all()),
        "vendor": vendor,
        "logo": vendor_logo_data_uri(vendor),
        "vat_category": facturx.vat_category(invoice),
        "end_customer": facturx.end_customer(invoice),
    }


def invoice_html(invoice: Invoice, context: dict | None = None) -> str:
    return render_to_string("billing/pdf/invoice.html", context or invoice_context(invoice))


def _producer_as_in_xmp(_document, pdf) -> None:
    """factur-x replaces the PDF's XMP metadata with its own, which names its PDF writer
    as the producer: the document information dictionary says the same (PDF/A wants the
    two to agree)."""
    import pydyf

    pdf.info["Producer"] = pydyf.String(facturx.XMP_PRODUCER)


def invoice_pdf(invoice: Invoice) -> bytes:
    """The Factur-X PDF: the PDF/A-3 page and its XML, made from the same rows."""
    from weasyprint import HTML  # imported lazily: it loads pango at import

    context = invoice_context(invoice)
    pdf = HTML(string=invoice_html(invoice, context)).write_pdf(
        pdf_variant=PDF_VARIANT, finisher=_producer_as_in_xmp
    )
    xml = facturx.invoice_xml(
        invoice,
        lines=context["lines"],
        vendor=context["vendor"],
        prepaid=invoice.total - context["amount_due"] if not invoice.is_credit_note else ZERO,
    )
    return facturx.facturx_pdf(pdf, xml, invoice=invoice, vendor=context["vendor"])
