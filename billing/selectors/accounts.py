"""Reading a partner's billing account, and the VAT its purchases get (billing.tax)."""

from __future__ import annotations

from dataclasses import dataclass

from billing.models import BillingAccount, Space
from billing.services.pricing import (
    buyer_tax_identity,
    distributor_terms,
    tax_rates,
)
from billing.tax import TaxKind, TaxTreatment, tax_treatment
from partners.models import Organisation
from portal.vendor.selectors import current_vendor

TAX_EXPLANATIONS = {
    TaxKind.DOMESTIC: "Domestic VAT: you are invoiced in the seller's country, at its rate.",
    TaxKind.REVERSE_CHARGE: (
        "Reverse charge: invoices carry no VAT; you account for it in your country "
        "(EU business with a valid VAT number)."
    ),
    TaxKind.EU_NO_VAT_NUMBER: (
        "No valid VAT number: as an EU business without one, you pay the seller's VAT. "
        "Add your VAT number to buy under the reverse charge."
    ),
    TaxKind.EXPORT: "Export: no VAT on services supplied outside the European Union.",
}


@dataclass(frozen=True)
class TaxOutlook:
    """The VAT a partner's purchases get, from whom."""

    seller: str
    treatment: TaxTreatment
    explanation: str
    space: str  # which purchases: both spaces, or one of them (two-tier)


def billing_account_for(*, organisation: Organisation) -> BillingAccount | None:
    return BillingAccount.objects.owned_by(organisation).first()


def tax_outlook(*, organisation: Organisation) -> list[TaxOutlook]:
    """What VAT the partner's purchases get: from the vendor; and for a reseller attached
    to a distributor, its reseller-space purchases from the distributor."""
    rates = tax_rates()
    vendor = current_vendor()
    country, vat_valid = buyer_tax_identity(organisation)

    def outlook(seller: str, seller_country: str, space: str) -> TaxOutlook:
        treatment = tax_treatment(
            seller_country=seller_country,
            buyer_country=country,
            buyer_vat_valid=vat_valid,
            rates=rates,
        )
        return TaxOutlook(seller, treatment, TAX_EXPLANATIONS[treatment.kind], space)

    vendor_name = vendor.brand_name or vendor.legal_name or "The vendor"
    distributor = organisation.distributor
    if distributor is None:
        return [outlook(vendor_name, str(vendor.country), "")]
    terms = distributor_terms(distributor=distributor, reseller=organisation)
    return [
        outlook(distributor.name, terms.country, Space.RESELLER),
        outlook(vendor_name, str(vendor.country), Space.PERSONAL),
    ]
