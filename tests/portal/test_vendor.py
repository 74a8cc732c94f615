"""The vendor's identity (SPEC §3.12): kept by the channel team, shown on every page, email
and document."""

from __future__ import annotations

import re
import subprocess

import pytest
from django.core import mail
from django.core.management import call_command
from django.test import Client
from rest_framework.test import APIClient

from partners.documents import agreement_pdf, order_form_pdf
from partners.models import Agreement, Invitation, Organisation, PartnerApplication
from portal.demo import VATES
from portal.errors import DomainError, Forbidden
from portal.models import AuditEvent, Vendor
from portal.tenancy.context import system_context
from portal.vendor import validation
from portal.vendor.selectors import current_vendor
from portal.vendor.services import vendor_update, vendor_validate
from tests.admin_forms import admin_form, post_admin_form
from tests.factories import OrganisationFactory, UserFactory, staff_user
from tests.partners.factories_onboarding import AgreementFactory

ADMIN_URL = "/admin/portal/vendor/1/change/"
ADDRESS = "1 rue de la Démonstration, 38000 Grenoble, France"


@pytest.fixture
def vates(db):
    with system_context("command:seed_demo"):  # as seed_demo sets it
        return vendor_update(changes=VATES, actor=None)


def browser(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


# --- identifiers ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "value",
    ["FR76 3000 6000 0112 3456 7890 189", "DE89370400440532013000", "gb82 west 1234 5698 7654 32"],
)
def test_valid_ibans_pass_the_mod_97_check(value):
    assert validation.iban_clean(value) == value.replace(" ", "").upper()


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("FR76 3000 6000 0112 3456 7890 188", "check digits"),  # one digit off
        ("DE89370400440532013001", "check digits"),
        ("FR7630006000011234567890", "27 characters"),
        ("1234", "Enter an IBAN"),
        ("FR76 3000 6000 0112 3456 7890 18!", "Enter an IBAN"),
    ],
)
def test_bad_ibans_are_refused_with_a_reason(value, message):
    with pytest.raises(ValueError, match=message):
        validation.iban_clean(value)


def test_bic_siren_and_french_vat_checks():
    assert validation.bic_clean("demo fr pp xxx") == "DEMOFRPPXXX"
    assert validation.bic_clean("DEUTDEFF") == "DEUTDEFF"
    for bad in ("DEUT", "DEUTDEFF5", "1EUTDEFF"):
        with pytest.raises(ValueError, match="Enter a BIC"):
            validation.bic_clean(bad)
    assert validation.siren_clean("123 456 782") == "123456782"
    with pytest.raises(ValueError, match="check digit"):
        validation.siren_clean("123456789")
    assert validation.vat_clean("FR 11 123456782", siren="123456782") == "FR11123456782"
    with pytest.raises(ValueError, match="key"):
        validation.vat_clean("FR12123456782")
    with pytest.raises(ValueError, match="SIREN"):
        validation.vat_clean("FR11123456782", siren="732829320")
    assert validation.vat_clean("DE123456789") == "DE123456789"
    with pytest.raises(ValueError, match="country prefix"):
        validation.vat_clean("123456789")


def test_the_service_names_the_bad_field():
    with pytest.raises(DomainError) as error:
        vendor_validate(data={**VATES, "iban": "FR7630006000011234567890188"})
    assert error.value.field == "iban"
    with pytest.raises(DomainError) as error:
        vendor_validate(data={**VATES, "vat_number": "FR11732829320"})
    assert error.value.field == "vat_number"
    with pytest.raises(DomainError) as error:
        vendor_validate(data={**VATES, "bic": ""})
    assert error.value.field == "bic"


# --- who may change it, and the trail -------------------------------------------------------


@pytest.mark.django_db
def test_seeding_twice_sets_vates_once(vates):
    call_command("seed_demo", stdout=None)
    call_command("seed_demo", stdout=None)
    vendor = current_vendor()
    assert (vendor.brand_name, vendor.legal_name) == ("Vates", "Vates SAS")
    assert vendor.iban == "FR7630006000011234567890189"
    assert Vendor.objects.count() == 1
    assert AuditEvent.objects.filter(action__startswith="vendor.").count() == 1


@pytest.mark.django_db
def test_only_staff_with_the_change_permission_may_change_it(vates, tenants):
    for actor in (
        staff_user("portal.view_vendor"),
        tenants.alice.admin,
        UserFactory(is_staff=False),
    ):
        with pytest.raises(Forbidden):
            vendor_update(changes={"brand_name": "Other"}, actor=actor)
    assert current_vendor().brand_name == "Vates"

    manager = staff_user("portal.change_vendor")
    vendor_update(changes={"channel_team_phone": "+33 4 11 11 11 11"}, actor=manager)

    event = AuditEvent.objects.get(action="vendor.changed")
    assert event.actor == manager
    assert event.before == {"channel_team_phone": "+33 4 00 00 00 00"}
    assert event.after == {"channel_team_phone": "+33 4 11 11 11 11"}
    assert event.organisation_id is None


@pytest.mark.django_db
def test_the_admin_shows_a_bad_iban_as_a_form_error_and_saves_nothing(vates):
    client = browser(staff_user("portal.view_vendor", "portal.change_vendor"))

    response = post_admin_form(
        client, ADMIN_URL, "vendor_form", iban="FR76 3000 6000 0112 3456 7890 188"
    )

    assert response.status_code == 200
    errors = response.context["adminform"].form.errors
    assert "check digits" in str(errors["iban"])
    assert current_vendor().iban == "FR7630006000011234567890189"
    assert not AuditEvent.objects.filter(action="vendor.changed").exists()


@pytest.mark.django_db
def test_the_admin_saves_through_the_service(vates):
    manager = staff_user("portal.view_vendor", "portal.change_vendor")
    client = browser(manager)
    assert client.get("/admin/portal/vendor/")["Location"] == ADMIN_URL  # one vendor

    response = post_admin_form(
        client, ADMIN_URL, "vendor_form", iban="de89 3704 0044 0532 0130 00", bic="cobadeffxxx"
    )

    assert response.status_code == 302, response.context["adminform"].form.errors
    vendor = current_vendor()
    assert (vendor.iban, vendor.bic) == ("DE89370400440532013000", "COBADEFFXXX")
    event = AuditEvent.objects.get(action="vendor.changed")
    assert event.actor == manager
    assert event.after == {"iban": "DE89370400440532013000", "bic": "COBADEFFXXX"}


@pytest.mark.django_db
def test_staff_who_may_only_read_cannot_save(vates):
    reader = browser(staff_user("portal.view_vendor"))
    form = admin_form(
        browser(UserFactory(is_staff=True, is_superuser=True)), ADMIN_URL, "vendor_form"
    )

    assert reader.get(ADMIN_URL).status_code == 200
    response = reader.post(ADMIN_URL, {**form, "brand_name": "Hijacked"})

    assert response.status_code == 403
    assert current_vendor().brand_name == "Vates"
    assert browser(staff_user()).get(ADMIN_URL).status_code == 403
    assert not AuditEvent.objects.filter(action="vendor.changed").exists()


# --- pages ----------------------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize("url", ["/", "/accounts/login/", "/no-such-page/", "/partners/"])
def test_every_page_has_the_brand_in_its_header_and_the_vendor_in_its_footer(vates, url):
    html = Client().get(url).content.decode()

    header = html[html.index("<nav") : html.index("</nav>")]
    footer = html[html.index("<footer") : html.index("</footer>")]
    assert "Vates" in header
    assert "Partner Portal" in header
    if url != "/partners/":  # the partners app's pages name their own titles
        assert "Vates Partner Portal" in html[: html.index("</title>")]
    for text in ("Vates SAS", "1 rue de la Démonstration", "FR11123456782", "partners@vates.tech"):
        assert text in footer, text


@pytest.mark.django_db
def test_the_reseller_space_carries_the_vendor_once_a_request(
    vates, tenants, django_assert_max_num_queries
):
    client = tenants.alice.browser()
    html = client.get("/space/").content.decode()
    assert "Vates SAS" in html[html.index("<footer") :]


@pytest.mark.django_db
def test_the_server_error_page_names_the_vendor(vates, rf):
    from portal.views import server_error

    response = server_error(rf.get("/"))
    html = response.content.decode()
    assert response.status_code == 500
    assert "Vates SAS" in html
    assert "partners@vates.tech" in html


@pytest.mark.django_db
def test_pages_still_work_before_a_vendor_is_set():
    html = Client().get("/").content.decode()
    assert "Partner Portal" in html


# --- documents ------------------------------------------------------------------------------


def pdf_text(content: bytes, tmp_path) -> str:
    path = tmp_path / "document.pdf"
    path.write_bytes(content)
    text = subprocess.run(
        ["pdftotext", "-layout", str(path), "-"], capture_output=True, check=True, text=True
    ).stdout
    return " ".join(text.split())


@pytest.mark.django_db
def test_the_agreement_names_the_vendor_its_address_and_governing_law(vates, tmp_path):
    agreement = AgreementFactory(organisation=OrganisationFactory())

    text = pdf_text(agreement_pdf(agreement), tmp_path)

    assert "The vendor operating" not in text
    assert "Vates SAS, 1 rue de la Démonstration, 38000 Grenoble, France" in text
    assert "RCS Grenoble 123 456 782" in text
    assert "FR11123456782" in text
    assert "governed by French law" in text
    assert "the commercial court of Grenoble, France" in text
    assert "between Vates SAS and" in text


@pytest.mark.django_db
def test_the_acceptance_is_never_alone_on_the_last_page(vates, tmp_path):
    path = tmp_path / "agreement.pdf"
    path.write_bytes(agreement_pdf(AgreementFactory(organisation=OrganisationFactory())))
    info = subprocess.run(["pdfinfo", str(path)], capture_output=True, text=True, check=True)
    pages = int(re.search(r"Pages:\s+(\d+)", info.stdout).group(1))
    last = subprocess.run(
        ["pdftotext", "-f", str(pages), "-l", str(pages), str(path), "-"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert "Acceptance." in last
    assert "Governing law and courts" in last  # the final clause travels with it


@pytest.mark.django_db
def test_the_order_form_names_the_vendor_and_its_bank_details(vates, tmp_path):
    text = pdf_text(order_form_pdf(AgreementFactory(organisation=OrganisationFactory())), tmp_path)
    assert "Vates SAS" in text
    assert ADDRESS in text
    assert "IBAN FR76 3000 6000 0112 3456 7890 189" in text
    assert "BIC DEMOFRPPXXX" in text


# --- emails ---------------------------------------------------------------------------------

APPLICATION = {
    "company_name": "Fjord Systems AS",
    "country": "NO",
    "website": "https://fjord.example",
    "years_in_operation": 7,
    "partner_type": "reseller",
    "contact_name": "Ingrid Berg",
    "contact_email": "ingrid@fjord.example",
    "expectations": "We resell virtualization to mid-sized Norwegian companies.",
    "customer_to_resell_to": "Nordlys Shipping",
}
INVITATION_LINK = re.compile(r"https?://[^/\s]+/invitations/([A-Za-z0-9_-]+)/")


@pytest.mark.django_db
def test_every_email_of_an_onboarding_is_signed_by_the_vendor(
    vates, django_capture_on_commit_callbacks, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.PRIVATE_MEDIA_ROOT = tmp_path / "private"
    call_command("load_programme", "vates", stdout=None)
    staff = browser(UserFactory(is_staff=True, is_superuser=True))

    # Applied, asked for more, approved: the applicant and the channel team get emails.
    with django_capture_on_commit_callbacks(execute=True):
        response = APIClient().post("/api/v1/applications", APPLICATION, format="json")
    assert response.status_code == 201, response.content
    application = PartnerApplication.objects.get(pk=response.json()["id"])
    with django_capture_on_commit_callbacks(execute=True):
        staff.post(
            f"/api/v1/staff/applications/{application.pk}/request-info",
            {"message": "Which customers?"},
            content_type="application/json",
        )
    with django_capture_on_commit_callbacks(execute=True):
        approved = staff.post(f"/api/v1/staff/applications/{application.pk}/approve")
    assert approved.status_code == 200, approved.content

    # The invitation is accepted, and the agreement signed.
    invitation_email = next(m for m in mail.outbox if INVITATION_LINK.search(m.body))
    token = INVITATION_LINK.search(invitation_email.body).group(1)
    person = Client()
    password = "a-long-unusual-passphrase-2026"
    with django_capture_on_commit_callbacks(execute=True):
        accepted = person.post(
            f"/invitations/{token}/",
            {"full_name": "Ingrid Berg", "password": password, "password_confirm": password},
        )
    assert accepted.status_code == 302
    organisation = Organisation.objects.get(pk=approved.json()["organisation"])
    assert Agreement.objects.get(organisation=organisation).pdf_status == "ready"
    with django_capture_on_commit_callbacks(execute=True):
        signed = person.post("/space/agreement/", {"name": "Ingrid Berg", "accept": "on"})
    assert signed.status_code == 302

    # A password reset (allauth's own email) is signed the same way.
    with django_capture_on_commit_callbacks(execute=True):
        Client().post("/accounts/password/reset/", {"email": "ingrid@fjord.example"})

    subjects = [m.subject for m in mail.outbox]
    assert len(mail.outbox) >= 7, subjects
    assert any("approved" in s for s in subjects)
    assert any("signed" in s.lower() for s in subjects)
    assert any("Vates Partner Portal" in s for s in subjects)  # allauth's subject prefix
    assert any("join Fjord Systems AS on the Vates Partner Portal" in s for s in subjects)
    assert Invitation.objects.get(organisation=organisation).accepted_at is not None
    for message in mail.outbox:
        body = message.body
        assert "\n-- \n" in body, message.subject
        signature = body[body.rindex("\n-- \n") :]
        for text in ("Vates SAS", ADDRESS, "Support: partners@vates.tech"):
            assert text in signature, (message.subject, signature)


@pytest.mark.django_db
def test_a_page_reads_the_vendor_once(vates, tenants):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = tenants.alice.browser()
    with CaptureQueriesContext(connection) as queries:
        assert client.get("/space/").status_code == 200
    assert sum('"portal_vendor"' in q["sql"] for q in queries.captured_queries) == 1


@pytest.mark.django_db
def test_a_logo_uploaded_in_the_admin_is_served_and_shown_in_the_header(vates, settings, tmp_path):
    from tests.partners.factories_directory import image_bytes, upload

    settings.MEDIA_ROOT = tmp_path / "media"
    client = browser(staff_user("portal.view_vendor", "portal.change_vendor"))
    assert Client().get("/vendor/logo").status_code == 404  # none yet

    for content, name in [
        (b"not an image", "logo.png"),
        (image_bytes(20, 20, fmt="GIF"), "logo.gif"),
    ]:
        refused = post_admin_form(client, ADMIN_URL, "vendor_form", logo=upload(content, name=name))
        assert refused.status_code == 200
        assert "image" in str(refused.context["adminform"].form.errors["logo"])
    assert not current_vendor().logo

    saved = post_admin_form(client, ADMIN_URL, "vendor_form", logo=upload(image_bytes(120, 40)))
    assert saved.status_code == 302

    logo_url = current_vendor().logo_url
    assert logo_url.startswith("/vendor/logo?v=")
    response = Client().get(logo_url)
    assert response.status_code == 200
    assert response["Content-Type"] == "image/png"
    header = Client().get("/").content.decode().split("</nav>")[0]
    assert f'src="{logo_url}"' in header


@pytest.mark.django_db
def test_the_admin_header_carries_the_brand(vates):
    html = browser(staff_user("portal.view_vendor")).get("/admin/").content.decode()
    assert "Vates Partner Portal: channel team" in html
    assert "<title>Today&#x27;s work | Vates Partner Portal admin</title>" in html
