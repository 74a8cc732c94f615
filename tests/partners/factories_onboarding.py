import factory
from django.core.files.base import ContentFile

from partners.models import Agreement, PartnerApplication
from tests.factories import PartnerTypeFactory, SystemFactory

# The smallest well-formed PDF: enough for access tests (rendering has tests of its own).
TINY_PDF = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
    b"2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
)


class AgreementFactory(SystemFactory):
    class Meta:
        model = Agreement

    version = "2026.1"
    pdf_status = Agreement.PdfStatus.READY
    agreement_pdf = factory.LazyFunction(lambda: ContentFile(TINY_PDF, name="agreement.pdf"))
    order_form_pdf = factory.LazyFunction(lambda: ContentFile(TINY_PDF, name="order-form.pdf"))


class PartnerApplicationFactory(SystemFactory):
    class Meta:
        model = PartnerApplication

    partner_type = factory.SubFactory(PartnerTypeFactory)
    programme = factory.SelfAttribute("partner_type.programme")
    company_name = factory.Sequence(lambda n: f"Applicant {n} GmbH")
    country = "DE"
    website = "https://applicant.example"
    years_in_operation = 5
    contact_name = "Ada Applicant"
    contact_email = factory.Sequence(lambda n: f"contact{n}@applicant.example")
    expectations = "Resell to our existing hosting customers."
