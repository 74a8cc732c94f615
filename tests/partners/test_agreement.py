"""The partner agreement: rendered as PDF by a task, click-signed by the admin, which
opens the reseller space (SPEC §3.8)."""

import pytest
from django.core import mail
from django.test import Client

from partners.models import Agreement, Membership, Organisation
from partners.services.agreements import agreement_render_documents
from tests.factories import MembershipFactory, OrganisationFactory
from tests.partners.factories_onboarding import AgreementFactory


@pytest.fixture
def pending(db, settings, tmp_path):
    """A just-approved organisation: pending, with its documents rendered for real."""
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.PRIVATE_MEDIA_ROOT = tmp_path / "private"
    organisation = OrganisationFactory(status=Organisation.Status.PENDING)
    admin = MembershipFactory(organisation=organisation, role=Membership.Role.ADMIN)
    sales = MembershipFactory(organisation=organisation, role=Membership.Role.SALES)
    agreement = AgreementFactory(
        organisation=organisation,
        pdf_status=Agreement.PdfStatus.PENDING,
        agreement_pdf=None,
        order_form_pdf=None,
    )
    return organisation, admin, sales, agreement


def _client(membership):
    client = Client()
    client.force_login(membership.user)
    return client


def test_rendering_stores_both_pdfs_with_their_fingerprints_once(pending):
    _organisation, *_, agreement = pending
    agreement_render_documents(agreement_id=agreement.pk)
    agreement.refresh_from_db()
    assert agreement.pdf_status == Agreement.PdfStatus.READY
    assert agreement.agreement_pdf.read(5) == b"%PDF-"
    assert agreement.order_form_pdf.read(5) == b"%PDF-"
    first = (agreement.agreement_pdf.name, agreement.agreement_sha256)

    agreement_render_documents(agreement_id=agreement.pk)  # a redelivered task
    agreement.refresh_from_db()
    assert (agreement.agreement_pdf.name, agreement.agreement_sha256) == first


def test_a_pending_organisation_is_sent_to_its_agreement(pending):
    _, admin, sales, _ = pending
    for member in (admin, sales):
        response = _client(member).get("/space/")
        assert response.status_code == 302
        assert response["Location"] == "/space/agreement/"


def test_the_page_says_documents_are_being_generated_until_they_are(pending):
    _, admin, _, agreement = pending
    client = _client(admin)
    page = client.get("/space/agreement/")
    assert b"being generated" in page.content
    assert b"Sign the agreement" not in page.content
    poll = client.get("/space/agreement/", HTTP_HX_REQUEST="true")
    assert "HX-Refresh" not in poll

    agreement_render_documents(agreement_id=agreement.pk)
    poll = client.get("/space/agreement/", HTTP_HX_REQUEST="true")
    assert poll["HX-Refresh"] == "true"
    page = client.get("/space/agreement/")
    assert b"Sign the agreement" in page.content
    pdf = client.get(f"/space/agreement/{agreement.pk}/agreement.pdf")
    assert pdf.status_code == 200
    assert pdf["Content-Type"] == "application/pdf"
    assert b"".join(pdf.streaming_content).startswith(b"%PDF-")
    assert client.get(f"/space/agreement/{agreement.pk}/other.pdf").status_code == 404


def test_signing_before_the_documents_exist_is_refused(pending):
    _, admin, _, _agreement = pending
    client = _client(admin)
    response = client.post(
        "/api/v1/agreement/sign", {"name": "Ada", "accept": True}, content_type="application/json"
    )
    assert response.status_code == 409
    assert response.json()["code"] == "documents_not_ready"


def test_the_admin_signs_and_the_space_opens(pending, django_capture_on_commit_callbacks):
    organisation, admin, sales, agreement = pending
    agreement_render_documents(agreement_id=agreement.pk)
    client = _client(admin)

    # A missing name or an unticked box is refused, and nothing is signed.
    response = client.post("/space/agreement/", {"name": "", "accept": "on"})
    assert response.status_code == 200
    assert "name" in response.context["form"].errors
    response = client.post("/space/agreement/", {"name": "Ada Admin"})
    assert "accept" in response.context["form"].errors
    agreement.refresh_from_db()
    assert agreement.accepted_at is None

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            "/space/agreement/",
            {"name": "Ada Admin", "accept": "on"},
            REMOTE_ADDR="203.0.113.7",
        )

    assert response.status_code == 302
    assert response["Location"] == "/space/"
    agreement.refresh_from_db()
    organisation.refresh_from_db()
    assert agreement.accepted_by == admin.user
    assert agreement.accepted_name == "Ada Admin"
    assert agreement.accepted_ip == "203.0.113.7"
    assert agreement.accepted_at is not None
    assert organisation.status == Organisation.Status.ACTIVE
    assert organisation.joined_on is not None
    assert sorted(m.to[0] for m in mail.outbox) == sorted(
        [admin.user.email, "channel-team@vendor.example"]
    )
    assert client.get("/space/").status_code == 200
    assert _client(sales).get("/space/").status_code == 200

    again = client.post(
        "/api/v1/agreement/sign", {"name": "Ada", "accept": True}, content_type="application/json"
    )
    assert again.status_code == 409


def test_only_an_admin_can_sign(pending):
    _, _, sales, agreement = pending
    agreement_render_documents(agreement_id=agreement.pk)
    client = _client(sales)
    page = client.get("/space/agreement/")
    assert b"Sign the agreement" not in page.content
    response = client.post(
        "/api/v1/agreement/sign", {"name": "Sam", "accept": True}, content_type="application/json"
    )
    assert response.status_code == 403
    response = client.post("/space/agreement/", {"name": "Sam", "accept": "on"})
    assert response.status_code == 403  # as the API answers
    agreement.refresh_from_db()
    assert agreement.accepted_at is None


def test_the_api_shows_the_agreement(pending):
    organisation, admin, _, agreement = pending
    agreement_render_documents(agreement_id=agreement.pk)
    body = _client(admin).get("/api/v1/agreement").json()
    assert body["organisation"] == str(organisation.pk)
    assert body["pdf_status"] == "ready"
    assert body["agreement_url"].endswith(f"/space/agreement/{agreement.pk}/agreement.pdf")
    assert body["accepted_at"] is None


def test_an_unticked_api_signature_is_a_field_error(pending):
    _, admin, _, agreement = pending
    agreement_render_documents(agreement_id=agreement.pk)
    response = _client(admin).post(
        "/api/v1/agreement/sign", {"name": "Ada", "accept": False}, content_type="application/json"
    )
    assert response.status_code == 400
    assert "accept" in response.json()["fields"]


def test_documents_that_cannot_be_rendered_are_marked_failed_after_the_retries(pending, settings):
    from partners.tasks import render_agreement_documents

    _, _admin, _, agreement = pending
    # A template that cannot render: the task's last retry marks the agreement failed.
    settings.TEMPLATES = [{**settings.TEMPLATES[0], "DIRS": [], "APP_DIRS": False, "OPTIONS": {}}]
    render_agreement_documents.apply(
        kwargs={
            "organisation_id": str(agreement.organisation_id),
            "agreement_id": str(agreement.pk),
        },
        retries=render_agreement_documents.max_retries,
    )
    agreement.refresh_from_db()
    assert agreement.pdf_status == Agreement.PdfStatus.FAILED


def test_staff_can_render_failed_documents_again(pending, django_capture_on_commit_callbacks):
    from tests.factories import UserFactory

    _, _, _, agreement = pending
    Agreement.objects.filter(pk=agreement.pk).update(pdf_status=Agreement.PdfStatus.FAILED)
    staff = Client()
    staff.force_login(UserFactory(is_staff=True, is_superuser=True))
    with django_capture_on_commit_callbacks(execute=True):
        response = staff.post(
            "/admin/partners/agreement/",
            {"action": "retry_documents", "_selected_action": [str(agreement.pk)]},
        )
    assert response.status_code == 302
    agreement.refresh_from_db()
    assert agreement.pdf_status == Agreement.PdfStatus.READY
