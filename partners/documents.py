"""PDF documents of the partners app, rendered by WeasyPrint from templates."""

from __future__ import annotations

from django.template.loader import render_to_string
from django.utils import timezone

from partners.models import Agreement
from partners.selectors.programme import discount_range
from portal.vendor.selectors import current_vendor


def _pdf(template: str, context: dict) -> bytes:
    from weasyprint import HTML  # imported lazily: it loads pango at import

    html = render_to_string(template, context)
    return HTML(string=html).write_pdf()


def _context(agreement: Agreement) -> dict:
    organisation = agreement.organisation
    partner_type = organisation.partner_type
    return {
        "agreement": agreement,
        "organisation": organisation,
        "programme": partner_type.programme,
        "partner_type": partner_type,
        "discount_range": discount_range(partner_type=partner_type),
        "tier": organisation.tier,
        "application": getattr(organisation, "application", None),
        "issued_on": timezone.localdate(),
        # The seller of record as it is when the document is rendered (the stored PDF keeps
        # it, whatever the channel team changes later).
        "vendor": current_vendor(),
    }


def agreement_pdf(agreement: Agreement) -> bytes:
    return _pdf("partners/pdf/partner_agreement.html", _context(agreement))


def order_form_pdf(agreement: Agreement) -> bytes:
    return _pdf("partners/pdf/order_form.html", _context(agreement))
