"""E-invoicing: an invoice's or credit note's EN 16931 XML and the Factur-X PDF that carries it.

The XML is a UN/CEFACT Cross Industry Invoice of the Factur-X / ZUGFeRD 2 profile EN 16931
(guideline ``urn:cen.eu:en16931:2017``), the form French and German B2B e-invoicing
accept. It is made from the issued ``Invoice`` row and the vendor; the ``factur-x``
library checks it against the profile's XML schema and embeds it in the PDF/A-3 that
WeasyPrint rendered (billing.invoice_documents).

How the portal's amounts map onto the standard:

* Each line's price is the list unit price (BT-146) for its quantity (BT-129); the
  non-profit discount, the partner discount (with its percent) and any credit applied are
  line allowances (BG-27, reason code 95 "Discount"); the line net amount (BT-131) is the
  line's net. There are no document-level allowances or charges, so the invoice's totals
  are the sums of its lines: line total = tax basis = net, VAT total = tax, grand total =
  due = total. A credit note (type 381) carries positive amounts and names the invoice it
  credits (BG-3).
* The VAT category follows the rule billing.tax chose: standard rated (S) at the rate,
  reverse charge (AE, 0 %) within the EU with the buyer's VAT number, export outside the
  EU (G, 0 %); the exemption reason is the invoice's legal mention and its VATEX code.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal

from django_countries import countries
from lxml import etree
from lxml.builder import ElementMaker

from billing.models import Invoice, InvoiceLine
from billing.money import ZERO
from billing.tax import TaxKind
from portal.models import Vendor

GUIDELINE = "urn:cen.eu:en16931:2017"
LEVEL = "en16931"
INVOICE_TYPE = "380"  # UNTDID 1001: commercial invoice
CREDIT_NOTE_TYPE = "381"  # UNTDID 1001: credit note
SEPA_CREDIT_TRANSFER = "58"  # UNTDID 4461
DISCOUNT_REASON = "95"  # UNTDID 5189: discount
UNIT = "C62"  # UN/ECE rec. 20: one (a host, a user, a bundle)
SIRENE = "0002"  # ISO 6523 ICD of the French company register (SIREN)
#: The producer factur-x's XMP metadata names (the PDF writer it uses, pypdf).
XMP_PRODUCER = "pypdf"

NS = {
    "rsm": "urn:un:unece:uncefact:data:standard:CrossIndustryInvoice:100",
    "qdt": "urn:un:unece:uncefact:data:standard:QualifiedDataType:100",
    "ram": "urn:un:unece:uncefact:data:standard:ReusableAggregateBusinessInformationEntity:100",
    "udt": "urn:un:unece:uncefact:data:standard:UnqualifiedDataType:100",
}
RSM = ElementMaker(namespace=NS["rsm"], nsmap=NS)
RAM = ElementMaker(namespace=NS["ram"], nsmap=NS)
UDT = ElementMaker(namespace=NS["udt"], nsmap=NS)
QDT = ElementMaker(namespace=NS["qdt"], nsmap=NS)

#: French commercial law's mentions on every invoice (UNTDID 4451 subject codes), the same
#: words as the PDF's.
FRENCH_INVOICE_NOTES = (
    ("PMD", "Late payment: penalties at three times the legal interest rate."),
    ("PMT", "Fixed indemnity of 40 EUR for recovery costs (French Commercial Code, L441-10)."),
    ("AAB", "No discount for early payment."),
)


@dataclass(frozen=True)
class VatCategory:
    code: str  # UNTDID 5305 as EN 16931 restricts it
    exemption_reason: str = ""
    exemption_code: str = ""  # the VATEX code list


def vat_category(invoice: Invoice) -> VatCategory:
    """The EN 16931 VAT category of the rule billing.tax applied to the invoice."""
    if invoice.tax_kind == TaxKind.REVERSE_CHARGE:
        return VatCategory("AE", invoice.tax_mention or "Reverse charge", "VATEX-EU-AE")
    if invoice.tax_kind == TaxKind.EXPORT:
        return VatCategory("G", invoice.tax_mention or "Export outside the EU", "VATEX-EU-G")
    # The seller's rate: domestic, or an EU buyer without a valid VAT number.
    return VatCategory("S" if invoice.tax_rate > 0 else "Z")


# --- values --------------------------------------------------------------------------------


def _amount(value: Decimal) -> str:
    """Two decimals (BR-DEC rules), never an exponent."""
    return f"{Decimal(value).quantize(Decimal('0.01')):f}"


def _decimal(value: Decimal) -> str:
    """A quantity, price or percent without trailing zeros: ``3``, ``1800``, ``12.5``."""
    text = f"{Decimal(value):f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def _date(day) -> etree._Element:
    return UDT.DateTimeString(day.strftime("%Y%m%d"), format="102")


_POSTCODE_TOKEN = re.compile(r"\d")


@dataclass(frozen=True)
class PostalAddress:
    lines: tuple[str, ...]
    postcode: str
    city: str
    country: str


def postal_address(text: str, *, country: str) -> PostalAddress:
    """A free-text address (one line per line, as the portal keeps them) in the
    standard's parts. The last line, once a trailing country name is dropped, is read as
    the town: "20457 Hamburg" (code first), "Denver, CO 80202" or "London SW1A 1AA"
    (code last); a line without digits is the town alone. The lines before it are the
    street lines (at most three; more are joined into the third)."""
    lines = [line.strip() for line in (text or "").splitlines() if line.strip()]
    country_name = countries.name(country).casefold() if country else ""
    if lines and lines[-1].casefold() in {country_name, country.casefold()}:
        lines.pop()
    if len(lines) < 2:  # no town line to read: the address as it is
        return PostalAddress(tuple(lines), "", "", country)
    *street, town = lines
    tokens = town.replace(",", " ").split()
    postcode, city = "", town
    if len(tokens) > 1 and _POSTCODE_TOKEN.search(tokens[0]):
        postcode, city = tokens[0], town.split(None, 1)[1].strip(" ,")
    else:
        code_tokens = []
        while len(tokens) > 1 and _POSTCODE_TOKEN.search(tokens[-1]):
            code_tokens.insert(0, tokens.pop())
        if code_tokens:
            postcode = " ".join(code_tokens)
            city = town[: town.rfind(code_tokens[0])].strip(" ,")
    if len(street) > 3:
        street = [*street[:2], ", ".join(street[2:])]
    return PostalAddress(tuple(street), postcode, city, country)


# --- the document --------------------------------------------------------------------------


def _address(address: PostalAddress) -> etree._Element:
    parts = []
    if address.postcode:
        parts.append(RAM.PostcodeCode(address.postcode))
    for tag, line in zip(("LineOne", "LineTwo", "LineThree"), address.lines, strict=False):
        parts.append(getattr(RAM, tag)(line))
    if address.city:
        parts.append(RAM.CityName(address.city))
    parts.append(RAM.CountryID(address.country))
    return RAM.PostalTradeAddress(*parts)


def _seller(vendor: Vendor) -> etree._Element:
    country = str(vendor.country)
    legal = []
    if vendor.company_number:
        number = vendor.company_number.replace(" ", "")
        if country == "FR" and len(number) == 9 and number.isdigit():
            legal.append(RAM.ID(number, schemeID=SIRENE))
        else:
            legal.append(RAM.ID(number))
    if vendor.brand_name and vendor.brand_name != vendor.legal_name:
        legal.append(RAM.TradingBusinessName(vendor.brand_name))
    parts = [RAM.Name(vendor.legal_name)]
    if legal:
        parts.append(RAM.SpecifiedLegalOrganization(*legal))
    contact = [RAM.DepartmentName("Channel team")]
    if vendor.channel_team_phone:
        contact.append(
            RAM.TelephoneUniversalCommunication(RAM.CompleteNumber(vendor.channel_team_phone))
        )
    if vendor.channel_team_email:
        contact.append(RAM.EmailURIUniversalCommunication(RAM.URIID(vendor.channel_team_email)))
    parts.append(RAM.DefinedTradeContact(*contact))
    parts.append(_address(postal_address(vendor.registered_address, country=country)))
    if vendor.channel_team_email:
        parts.append(
            RAM.URIUniversalCommunication(RAM.URIID(vendor.channel_team_email, schemeID="EM"))
        )
    if vendor.vat_number:
        parts.append(RAM.SpecifiedTaxRegistration(RAM.ID(vendor.vat_number, schemeID="VA")))
    return RAM.SellerTradeParty(*parts)


def _buyer(invoice: Invoice) -> etree._Element:
    country = str(invoice.buyer_country)
    parts = [
        RAM.Name(invoice.buyer_name),
        _address(postal_address(invoice.buyer_address, country=country)),
    ]
    if invoice.buyer_email:
        parts.append(RAM.URIUniversalCommunication(RAM.URIID(invoice.buyer_email, schemeID="EM")))
    if invoice.buyer_vat_number:
        vat = invoice.buyer_vat_number.replace(" ", "").upper()
        parts.append(RAM.SpecifiedTaxRegistration(RAM.ID(vat, schemeID="VA")))
    return RAM.BuyerTradeParty(*parts)


def _line_tax(category: VatCategory, rate: Decimal) -> etree._Element:
    return RAM.ApplicableTradeTax(
        RAM.TypeCode("VAT"),
        RAM.CategoryCode(category.code),
        RAM.RateApplicablePercent(_decimal(rate)),
    )


def _allowance(
    amount: Decimal, *, reason: str, basis: Decimal | None = None, percent: Decimal | None = None
) -> etree._Element:
    parts = [RAM.ChargeIndicator(UDT.Indicator("false"))]
    if percent is not None:
        parts.append(RAM.CalculationPercent(_decimal(percent)))
    if basis is not None:
        parts.append(RAM.BasisAmount(_amount(basis)))
    parts += [
        RAM.ActualAmount(_amount(amount)),
        RAM.ReasonCode(DISCOUNT_REASON),
        RAM.Reason(reason),
    ]
    return RAM.SpecifiedTradeAllowanceCharge(*parts)


def _price(line: InvoiceLine) -> etree._Element:
    """The list unit price. Where the unit price times the quantity is not exactly the
    line's list amount (a unit price of more than two decimals, rounded once per line),
    the price is given for the whole quantity (BT-149), so that the line still adds up."""
    if line.quantity and line.unit_price * line.quantity != line.list_amount:
        return RAM.NetPriceProductTradePrice(
            RAM.ChargeAmount(_amount(line.list_amount)),
            RAM.BasisQuantity(_decimal(line.quantity), unitCode=UNIT),
        )
    return RAM.NetPriceProductTradePrice(RAM.ChargeAmount(_decimal(line.unit_price)))


def _line(invoice: Invoice, line: InvoiceLine, category: VatCategory) -> etree._Element:
    settlement = [_line_tax(category, line.tax_rate)]
    if invoice.period_start and invoice.period_end:
        settlement.append(
            RAM.BillingSpecifiedPeriod(
                RAM.StartDateTime(_date(invoice.period_start)),
                RAM.EndDateTime(_date(invoice.period_end)),
            )
        )
    if line.charity_discount:
        settlement.append(
            _allowance(line.charity_discount, reason="Non-profit discount", basis=line.list_amount)
        )
    if line.partner_discount:
        settlement.append(
            _allowance(
                line.partner_discount,
                reason="Partner discount",
                basis=line.gross_amount,
                percent=line.partner_discount_percent or None,
            )
        )
    if line.credit_applied:
        settlement.append(_allowance(line.credit_applied, reason="Credit applied"))
    settlement.append(
        RAM.SpecifiedTradeSettlementLineMonetarySummation(
            RAM.LineTotalAmount(_amount(line.net_amount))
        )
    )
    return RAM.IncludedSupplyChainTradeLineItem(
        RAM.AssociatedDocumentLineDocument(RAM.LineID(str(line.position))),
        RAM.SpecifiedTradeProduct(
            RAM.SellerAssignedID(line.product_code), RAM.Name(line.description)
        ),
        RAM.SpecifiedLineTradeAgreement(_price(line)),
        RAM.SpecifiedLineTradeDelivery(RAM.BilledQuantity(_decimal(line.quantity), unitCode=UNIT)),
        RAM.SpecifiedLineTradeSettlement(*settlement),
    )


def _notes(invoice: Invoice, vendor: Vendor) -> list[etree._Element]:
    notes = []
    if invoice.is_credit_note:
        text = f"Credit note for invoice {invoice.credited_invoice.reference}"
        if invoice.reason:
            text += f": {invoice.reason}"
        notes.append(RAM.IncludedNote(RAM.Content(text), RAM.SubjectCode("AAI")))
    if invoice.customer_name:
        notes.append(RAM.IncludedNote(RAM.Content(f"End customer: {invoice.customer_name}")))
    if not invoice.is_credit_note and str(vendor.country) == "FR":
        notes += [
            RAM.IncludedNote(RAM.Content(text), RAM.SubjectCode(code))
            for code, text in FRENCH_INVOICE_NOTES
        ]
    return notes


@dataclass(frozen=True)
class EndCustomer:
    name: str
    country: str

    @property
    def country_name(self) -> str:
        return countries.name(self.country) if self.country else ""


def end_customer(invoice: Invoice) -> EndCustomer | None:
    """Who the sale was for: the invoice's end customer, or for a credit note that names
    none, the credited invoice's."""
    source = invoice
    if not invoice.customer_name and invoice.is_credit_note:
        source = invoice.credited_invoice
    if not source.customer_name:
        return None
    return EndCustomer(source.customer_name, str(source.customer_country or ""))


def _delivery(invoice: Invoice) -> etree._Element:
    """The end customer the sale was for, as the party delivered to (BG-13). Without one
    the group stays empty (the schema requires it; Peppol's rules warn about it)."""
    customer = end_customer(invoice)
    if customer is None:
        return RAM.ApplicableHeaderTradeDelivery()
    ship_to = [RAM.Name(customer.name)]
    if customer.country:
        ship_to.append(RAM.PostalTradeAddress(RAM.CountryID(customer.country)))
    return RAM.ApplicableHeaderTradeDelivery(RAM.ShipToTradeParty(*ship_to))


def _settlement(
    invoice: Invoice, vendor: Vendor, category: VatCategory, *, prepaid: Decimal
) -> etree._Element:
    currency = invoice.currency
    parts = [
        RAM.PaymentReference(invoice.payment_reference),
        RAM.InvoiceCurrencyCode(currency),
    ]
    if not invoice.is_credit_note and vendor.iban:
        means = [
            RAM.TypeCode(SEPA_CREDIT_TRANSFER),
            RAM.Information("SEPA credit transfer"),
            RAM.PayeePartyCreditorFinancialAccount(
                RAM.IBANID(vendor.iban.replace(" ", "")),
                RAM.AccountName(vendor.legal_name),
            ),
        ]
        if vendor.bic:
            means.append(RAM.PayeeSpecifiedCreditorFinancialInstitution(RAM.BICID(vendor.bic)))
        parts.append(RAM.SpecifiedTradeSettlementPaymentMeans(*means))
    tax = [RAM.CalculatedAmount(_amount(invoice.tax)), RAM.TypeCode("VAT")]
    if category.exemption_reason:
        tax.append(RAM.ExemptionReason(category.exemption_reason))
    tax += [RAM.BasisAmount(_amount(invoice.net_amount)), RAM.CategoryCode(category.code)]
    if category.exemption_code:
        tax.append(RAM.ExemptionReasonCode(category.exemption_code))
    tax.append(RAM.RateApplicablePercent(_decimal(invoice.tax_rate)))
    parts.append(RAM.ApplicableTradeTax(*tax))
    if invoice.period_start and invoice.period_end:
        parts.append(
            RAM.BillingSpecifiedPeriod(
                RAM.StartDateTime(_date(invoice.period_start)),
                RAM.EndDateTime(_date(invoice.period_end)),
            )
        )
    if invoice.is_credit_note:
        parts.append(
            RAM.SpecifiedTradePaymentTerms(
                RAM.Description(
                    f"Credited against invoice {invoice.credited_invoice.reference}: "
                    "deducted from what is due, or refunded."
                )
            )
        )
    else:
        parts.append(
            RAM.SpecifiedTradePaymentTerms(
                RAM.Description(
                    f"By wire transfer within 30 days, reference {invoice.payment_reference}."
                ),
                RAM.DueDateDateTime(_date(invoice.due_on)),
            )
        )
    parts.append(
        RAM.SpecifiedTradeSettlementHeaderMonetarySummation(
            RAM.LineTotalAmount(_amount(invoice.net_amount)),
            RAM.TaxBasisTotalAmount(_amount(invoice.net_amount)),
            RAM.TaxTotalAmount(_amount(invoice.tax), currencyID=currency),
            RAM.GrandTotalAmount(_amount(invoice.total)),
            *([RAM.TotalPrepaidAmount(_amount(prepaid))] if prepaid else []),
            RAM.DuePayableAmount(_amount(invoice.total - prepaid)),
        )
    )
    if invoice.is_credit_note:
        credited = invoice.credited_invoice
        parts.append(
            RAM.InvoiceReferencedDocument(
                RAM.IssuerAssignedID(credited.reference),
                RAM.FormattedIssueDateTime(
                    QDT.DateTimeString(credited.issued_on.strftime("%Y%m%d"), format="102")
                ),
            )
        )
    return RAM.ApplicableHeaderTradeSettlement(*parts)


def invoice_xml(
    invoice: Invoice, *, lines: list[InvoiceLine], vendor: Vendor, prepaid: Decimal = ZERO
) -> bytes:
    """The invoice's Cross Industry Invoice (EN 16931), UTF-8. ``prepaid``: the credit
    notes applied to it (an upgrade's credit for unused time), less from what is due."""
    category = vat_category(invoice)
    lines_net = sum((line.net_amount for line in lines), ZERO)
    if lines_net != invoice.net_amount:  # issued rows never change: a bug if it happens
        raise ValueError(f"{invoice.reference}: its lines do not add up to its net amount")
    agreement = [_seller(vendor), _buyer(invoice)]
    if invoice.order_id:
        agreement.append(
            RAM.BuyerOrderReferencedDocument(RAM.IssuerAssignedID(invoice.order.reference))
        )
    root = RSM.CrossIndustryInvoice(
        RSM.ExchangedDocumentContext(
            RAM.GuidelineSpecifiedDocumentContextParameter(RAM.ID(GUIDELINE))
        ),
        RSM.ExchangedDocument(
            RAM.ID(invoice.reference),
            RAM.TypeCode(CREDIT_NOTE_TYPE if invoice.is_credit_note else INVOICE_TYPE),
            RAM.IssueDateTime(_date(invoice.issued_on)),
            *_notes(invoice, vendor),
        ),
        RSM.SupplyChainTradeTransaction(
            *(_line(invoice, line, category) for line in lines),
            RAM.ApplicableHeaderTradeAgreement(*agreement),
            _delivery(invoice),
            _settlement(invoice, vendor, category, prepaid=prepaid),
        ),
    )
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)


def facturx_pdf(pdf: bytes, xml: bytes, *, invoice: Invoice, vendor: Vendor) -> bytes:
    """``pdf`` (a PDF/A-3) with ``xml`` embedded as factur-x.xml and the Factur-X XMP
    metadata, the XML checked against the EN 16931 profile's schema on the way (an
    invalid one raises)."""
    from facturx import generate_from_binary  # imported lazily: it loads its schemas

    kind = invoice.get_kind_display()
    return generate_from_binary(
        pdf,
        xml,
        flavor="factur-x",
        level=LEVEL,
        check_xsd=True,
        pdf_metadata={
            "author": vendor.legal_name,
            "keywords": f"{kind}, Factur-X",
            "title": f"{vendor.legal_name}: {kind} {invoice.reference}",
            "subject": f"{kind} {invoice.reference} of {invoice.issued_on:%Y-%m-%d} "
            f"issued by {vendor.legal_name} to {invoice.buyer_name}",
        },
        lang="en",
    )
