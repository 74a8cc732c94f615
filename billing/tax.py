"""Which VAT applies to a sale (SPEC §3.5): decided by the party invoiced, never by the
end customer.

The seller's own country: that country's rate. Another EU member state with a valid VAT
number: reverse charge (0 %, with the legal mention on the invoice). Another EU member
state without one: the seller's rate. Outside the EU: no VAT (export of services). The
rates are the table the channel team keeps (``billing.models.TaxRate``).
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from stdnum.eu import vat as eu_vat
from stdnum.exceptions import ValidationError as VatNumberError

#: The member states of the European Union (VAT area), ISO 3166 codes. Greece's VAT
#: numbers carry the prefix EL, which ``vat_number_valid`` accepts.
EU_MEMBER_STATES = frozenset(
    [
        "AT",
        "BE",
        "BG",
        "CY",
        "CZ",
        "DE",
        "DK",
        "EE",
        "ES",
        "FI",
        "FR",
        "GR",
        "HR",
        "HU",
        "IE",
        "IT",
        "LT",
        "LU",
        "LV",
        "MT",
        "NL",
        "PL",
        "PT",
        "RO",
        "SE",
        "SI",
        "SK",
    ]
)

REVERSE_CHARGE_MENTION = (
    "Autoliquidation: VAT due by the customer, Article 196 of Council Directive 2006/112/EC."
)
EXPORT_MENTION = "VAT not applicable: services supplied outside the European Union."


class TaxKind:
    DOMESTIC = "domestic"
    REVERSE_CHARGE = "reverse_charge"
    EU_NO_VAT_NUMBER = "eu_no_vat_number"
    EXPORT = "export"


#: Each rule in a few words, for pages and documents.
TAX_KIND_LABELS = {
    TaxKind.DOMESTIC: "domestic VAT",
    TaxKind.REVERSE_CHARGE: "reverse charge",
    TaxKind.EU_NO_VAT_NUMBER: "EU buyer without a VAT number",
    TaxKind.EXPORT: "export",
}


@dataclass(frozen=True)
class TaxTreatment:
    kind: str
    rate: Decimal  # percent
    mention: str = ""


def vat_number_compact(number: str) -> str:
    """The number without spaces, dots or dashes, upper case (as stored). python-stdnum's
    ``compact`` refuses a number without a known country prefix; such a number is
    compacted plainly here, and ``vat_number_valid`` then says it is not valid."""
    try:
        return eu_vat.compact(number)
    except VatNumberError:
        return "".join(ch for ch in number if ch not in " .-/").upper()


def vat_number_valid(number: str, *, country: str) -> bool:
    """The VAT number's format and check digits (python-stdnum), and that it is the
    buyer's country's (FR... for France; EL... for Greece). Not a VIES look-up."""
    if not number:
        return False
    compact = vat_number_compact(number)
    prefix = "EL" if country == "GR" else country
    return compact.startswith(prefix) and eu_vat.is_valid(compact)


def tax_treatment(
    *, seller_country: str, buyer_country: str, buyer_vat_valid: bool, rates: dict[str, Decimal]
) -> TaxTreatment:
    """The VAT rule for a sale; ``rates`` maps a country code to its rate in percent."""
    seller_rate = rates.get(seller_country, Decimal("0"))
    if buyer_country == seller_country:
        return TaxTreatment(TaxKind.DOMESTIC, seller_rate)
    if buyer_country in EU_MEMBER_STATES and seller_country in EU_MEMBER_STATES:
        if buyer_vat_valid:
            return TaxTreatment(TaxKind.REVERSE_CHARGE, Decimal("0"), REVERSE_CHARGE_MENTION)
        return TaxTreatment(TaxKind.EU_NO_VAT_NUMBER, seller_rate)
    return TaxTreatment(TaxKind.EXPORT, Decimal("0"), EXPORT_MENTION)
