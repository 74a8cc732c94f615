"""Onboarding: the public application and the channel team's review (SPEC §3.8)."""

import re

import pytest
from django.core import mail
from django.core.cache import cache
from django.core.management import call_command
from django.test import Client
from rest_framework.test import APIClient

from partners.models import Agreement, Invitation, Organisation, PartnerApplication
from tests.factories import UserFactory

VALID = {
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


@pytest.fixture(autouse=True)
def programmes(db):
    cache.clear()  # the application rate limit lives in the cache
    for name in ("mattermost", "opennebula", "vates"):
        call_command("load_programme", name, stdout=None)
    yield
    cache.clear()


@pytest.fixture
def staff_api():
    client = APIClient()
    client.force_authenticate  # noqa: B018 - sessions are used instead, as in production
    staff = UserFactory(is_staff=True, is_superuser=True)
    browser = Client()
    browser.force_login(staff)
    return browser


def _submit(payload=None, client=None, **changes):
    client = client or APIClient()
    return client.post("/api/v1/applications", {**(payload or VALID), **changes}, format="json")


def test_anyone_can_apply_through_the_api(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = _submit()

    assert response.status_code == 201, response.content
    application = PartnerApplication.objects.get(pk=response.json()["id"])
    assert application.status == PartnerApplication.Status.SUBMITTED
    assert application.partner_type.programme.code == "vates"
    assert application.customer_to_resell_to == "Nordlys Shipping"
    assert application.submitted_ip == "127.0.0.1"
    assert sorted(m.to[0] for m in mail.outbox) == [
        "channel-team@vendor.example",
        "ingrid@fjord.example",
    ]


def _make_default(programme: str) -> None:
    call_command("load_programme", programme, "--default", stdout=None)


def test_a_type_of_another_programme_is_refused_with_a_field_error():
    # OpenNebula's referral type exists, but Vates is the active programme.
    response = _submit(partner_type="referral")
    assert response.status_code == 400, response.content
    assert response.json()["fields"]["partner_type"][0].startswith("Unknown partner type")
    assert PartnerApplication.objects.count() == 0


def test_a_shared_type_code_means_the_active_programmes_type():
    assert _submit(partner_type="reseller").status_code == 201
    _make_default("opennebula")
    assert _submit(partner_type="reseller", contact_email="o@fjord.example").status_code == 201
    programmes = PartnerApplication.objects.order_by("submitted_at").values_list(
        "programme__code", flat=True
    )
    assert list(programmes) == ["vates", "opennebula"]


def test_the_form_offers_the_active_programmes_types_only():
    from partners.models import PartnerType

    page = Client().get("/apply/").content.decode()
    offered = set(re.findall(r'<option value="(\d+)"', page))
    vates = {
        str(pk)
        for pk in PartnerType.objects.filter(programme__code="vates").values_list("pk", flat=True)
    }
    assert offered == vates
    assert "Mattermost" not in page
    assert "OpenNebula" not in page
    assert "<optgroup" not in page


def test_the_form_refuses_a_type_of_another_programme():
    from partners.models import PartnerType

    referral = PartnerType.objects.get(programme__code="opennebula", code="referral")
    response = Client().post("/apply/", _form_data(partner_type=str(referral.pk)))
    assert response.status_code == 200
    assert "partner_type" in response.context["form"].errors
    assert PartnerApplication.objects.count() == 0


def test_the_service_refuses_a_type_of_another_programme():
    from partners.models import PartnerType
    from partners.services.applications import application_submit
    from portal.errors import DomainError
    from portal.tenancy.context import system_context

    referral = PartnerType.objects.get(programme__code="opennebula", code="referral")
    data = {**VALID, "partner_type": referral, "region": ""}
    with pytest.raises(DomainError) as refused, system_context("public:application"):
        application_submit(data=data)
    assert refused.value.field == "partner_type"


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"country": "XX"}, "country"),
        ({"country": ""}, "country"),
        ({"website": "not a url"}, "website"),
        ({"years_in_operation": -1}, "years_in_operation"),
        ({"years_in_operation": "many"}, "years_in_operation"),
        ({"contact_email": "ingrid-at-fjord"}, "contact_email"),
        ({"company_name": ""}, "company_name"),
        ({"expectations": "x" * 5000}, "expectations"),
        ({"partner_type": "wizard"}, "partner_type"),
        ({"country": "CU"}, "country"),
        ({"country": "KP"}, "country"),
        ({"country": "UA", "region": "Crimea"}, "region"),
        ({"country": "UA", "region": "UA-09"}, "region"),
    ],
)
def test_bad_input_gets_a_field_error_and_stores_nothing(changes, field):
    response = _submit(**changes)
    assert response.status_code == 400, response.content
    assert field in response.json()["fields"], response.json()
    assert PartnerApplication.objects.count() == 0
    assert mail.outbox == []


def test_a_missing_field_is_named():
    payload = {k: v for k, v in VALID.items() if k != "contact_email"}
    response = _submit(payload)
    assert response.status_code == 400
    assert "contact_email" in response.json()["fields"]


def test_an_application_from_kyiv_is_fine():
    assert _submit(country="UA", region="Kyiv").status_code == 201


def test_the_honeypot_pretends_and_stores_nothing():
    response = _submit(fax="+1 555 0100")
    assert response.status_code == 201
    assert PartnerApplication.objects.count() == 0
    assert mail.outbox == []


def test_applications_are_rate_limited_per_ip_across_api_and_form():
    for _ in range(4):
        assert _submit(contact_email="a@b.example").status_code == 201
    form = Client().post("/apply/", {**VALID, "partner_type": "1"})
    assert form.status_code in {200, 302}  # the 5th goes through (valid or not)
    response = _submit()
    assert response.status_code == 429
    assert response.json()["code"] == "throttled"
    assert Client().post("/apply/", {}).status_code == 429


def _form_data(**changes):
    from partners.models import PartnerType

    reseller = PartnerType.objects.get(programme__code="vates", code="reseller")
    return {**VALID, "partner_type": str(reseller.pk), **changes}


def test_the_form_submits_an_application(django_capture_on_commit_callbacks):
    page = Client().get("/apply/")
    assert page.status_code == 200
    assert b"Become a partner" in page.content

    with django_capture_on_commit_callbacks(execute=True):
        response = Client().post("/apply/", _form_data())

    assert response.status_code == 302
    assert response["Location"] == "/apply/thanks/"
    assert PartnerApplication.objects.get().company_name == "Fjord Systems AS"
    assert len(mail.outbox) == 2


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"country": "IR"}, "country", "embargo"),
        ({"country": "UA", "region": "Donetsk"}, "region", "embargo"),
        ({"years_in_operation": "-3"}, "years_in_operation", "greater than or equal to 0"),
        ({"partner_type": "99999"}, "partner_type", "valid choice"),
    ],
)
def test_the_form_shows_errors_and_stores_nothing(changes, field, message):
    response = Client().post("/apply/", _form_data(**changes))
    assert response.status_code == 200
    assert message in str(response.context["form"].errors[field])
    assert PartnerApplication.objects.count() == 0


def test_the_form_honeypot(django_capture_on_commit_callbacks):
    response = Client().post("/apply/", _form_data(fax="bot"))
    assert response.status_code == 302
    assert PartnerApplication.objects.count() == 0


def _apply(**changes) -> PartnerApplication:
    assert _submit(**changes).status_code == 201
    mail.outbox.clear()
    return PartnerApplication.objects.latest("submitted_at")


def test_partners_and_anonymous_cannot_use_the_review_api(tenants):
    application = _apply()
    assert APIClient().get("/api/v1/staff/applications").status_code == 401
    partner = tenants.alice.api()
    assert partner.get("/api/v1/staff/applications").status_code == 403
    url = f"/api/v1/staff/applications/{application.pk}/approve"
    assert partner.post(url).status_code == 403
    application.refresh_from_db()
    assert application.status == PartnerApplication.Status.SUBMITTED


def test_reviewers_see_the_mattermost_checks(staff_api):
    _make_default("mattermost")  # a portal run for Mattermost's programme
    application = _apply(
        partner_type="value_added_reseller", years_in_operation=1, customer_to_resell_to=""
    )
    body = staff_api.get(f"/api/v1/staff/applications/{application.pk}").json()
    checks = {c["label"]: c["passed"] for c in body["checks"]}
    assert checks == {
        "Country not under embargo": True,
        "At least 2 years of operation": False,
        "Names a customer to resell to": False,
        "Not already a partner": True,
    }
    assert body["late"] is False

    good = _apply(partner_type="value_added_reseller", contact_email="x@y.example")
    checks = {
        c["label"]: c["passed"]
        for c in staff_api.get(f"/api/v1/staff/applications/{good.pk}").json()["checks"]
    }
    assert all(checks.values())


def test_an_application_waiting_past_the_review_time_is_late(staff_api):
    from datetime import timedelta

    from django.utils import timezone

    application = _apply()
    PartnerApplication.objects.filter(pk=application.pk).update(
        submitted_at=timezone.now() - timedelta(days=11)
    )
    queue = staff_api.get("/api/v1/staff/applications?status=submitted").json()
    assert [(a["id"], a["late"]) for a in queue] == [(str(application.pk), True)]
    assert staff_api.get("/api/v1/staff/applications?status=nope").status_code == 400


def test_more_information_through_a_signed_single_use_link(
    staff_api, django_capture_on_commit_callbacks
):
    application = _apply()
    url = f"/api/v1/staff/applications/{application.pk}/request-info"
    with django_capture_on_commit_callbacks(execute=True):
        response = staff_api.post(
            url, {"message": "Which regions do you cover?"}, content_type="application/json"
        )
    assert response.json()["status"] == "info_requested"
    (email,) = mail.outbox
    assert email.to == ["ingrid@fjord.example"]
    assert "Which regions do you cover?" in email.body
    link = re.search(r"https?://[^/]+(/apply/reply/\S+/)", email.body).group(1)

    page = Client().get(link)
    assert page.status_code == 200
    assert b"Which regions do you cover?" in page.content
    assert Client().post(link, {"reply": ""}).status_code == 200  # form error
    with django_capture_on_commit_callbacks(execute=True):
        response = Client().post(link, {"reply": "All of Norway and Sweden."})
    assert response.status_code == 200

    application.refresh_from_db()
    assert application.status == PartnerApplication.Status.SUBMITTED
    assert application.applicant_reply == "All of Norway and Sweden."
    assert Client().get(link).status_code == 404  # used
    assert Client().get("/apply/reply/forged-token/").status_code == 404


def _request_info(staff_api, application, message, capture) -> str:
    """Ask for more information; returns the reply link's path from the email."""
    mail.outbox.clear()
    url = f"/api/v1/staff/applications/{application.pk}/request-info"
    with capture(execute=True):
        response = staff_api.post(url, {"message": message}, content_type="application/json")
    assert response.status_code == 200, response.content
    (email,) = mail.outbox
    assert message in email.body
    return re.search(r"https?://[^/]+(/apply/reply/\S+/)", email.body).group(1)


def test_a_reply_link_answers_its_own_round_once(staff_api, django_capture_on_commit_callbacks):
    capture = django_capture_on_commit_callbacks
    application = _apply()

    # Round 1: asked and answered
    round_1 = _request_info(staff_api, application, "Which regions?", capture)
    with capture(execute=True):
        assert Client().post(round_1, {"reply": "Norway."}).status_code == 200

    # Round 2: asked; round 1's link is refused, for reading and for answering
    round_2 = _request_info(staff_api, application, "Which customers?", capture)
    assert round_2 != round_1
    assert Client().get(round_1).status_code == 404
    assert Client().post(round_1, {"reply": "Overwritten!"}).status_code == 404
    application.refresh_from_db()
    assert application.status == PartnerApplication.Status.INFO_REQUESTED
    assert application.applicant_reply == "Norway."

    # Round 2's link works once
    assert Client().get(round_2).status_code == 200
    with capture(execute=True):
        assert Client().post(round_2, {"reply": "Nordlys Shipping."}).status_code == 200
    application.refresh_from_db()
    assert application.status == PartnerApplication.Status.SUBMITTED
    assert application.applicant_reply == "Nordlys Shipping."
    assert Client().get(round_2).status_code == 404
    assert Client().post(round_2, {"reply": "Again."}).status_code == 404


def test_asking_again_before_an_answer_retires_the_first_link(
    staff_api, django_capture_on_commit_callbacks
):
    capture = django_capture_on_commit_callbacks
    application = _apply()
    first = _request_info(staff_api, application, "Which regions?", capture)
    second = _request_info(staff_api, application, "And which customers?", capture)
    assert Client().get(first).status_code == 404
    page = Client().get(second)
    assert page.status_code == 200
    assert b"And which customers?" in page.content


def test_rejection_needs_a_reason_and_emails_it(staff_api, django_capture_on_commit_callbacks):
    application = _apply()
    url = f"/api/v1/staff/applications/{application.pk}/reject"
    response = staff_api.post(url, {"reason": ""}, content_type="application/json")
    assert response.status_code == 400
    assert "reason" in response.json()["fields"]

    with django_capture_on_commit_callbacks(execute=True):
        response = staff_api.post(
            url, {"reason": "We already have partners in Norway."}, content_type="application/json"
        )
    assert response.json()["status"] == "rejected"
    assert "We already have partners in Norway." in mail.outbox[0].body

    again = staff_api.post(f"/api/v1/staff/applications/{application.pk}/approve")
    assert again.status_code == 409
    assert Organisation.objects.count() == 0


def test_approval_creates_the_pending_organisation_agreement_and_invitation(
    staff_api, django_capture_on_commit_callbacks, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.PRIVATE_MEDIA_ROOT = tmp_path / "private"
    application = _apply()

    with django_capture_on_commit_callbacks(execute=True):
        response = staff_api.post(f"/api/v1/staff/applications/{application.pk}/approve")

    assert response.status_code == 200, response.content
    organisation = Organisation.objects.get(pk=response.json()["organisation"])
    assert organisation.status == Organisation.Status.PENDING
    assert organisation.partner_type.code == "reseller"
    assert organisation.tier.level == 1
    assert organisation.profile.display_name == "Fjord Systems AS"
    agreement = Agreement.objects.get(organisation=organisation)
    assert agreement.version == "2026.1"
    assert agreement.pdf_status == Agreement.PdfStatus.READY
    assert agreement.agreement_pdf.read(5) == b"%PDF-"
    assert len(agreement.agreement_sha256) == 64
    invitation = Invitation.objects.get(organisation=organisation)
    assert (invitation.email, invitation.role) == ("ingrid@fjord.example", "admin")
    recipients = sorted(m.to[0] for m in mail.outbox)
    assert recipients == ["ingrid@fjord.example", "ingrid@fjord.example"]
    subjects = " | ".join(m.subject for m in mail.outbox)
    assert "approved" in subjects


def test_the_admin_review_pages(staff_api, django_capture_on_commit_callbacks, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.PRIVATE_MEDIA_ROOT = tmp_path / "private"
    _make_default("mattermost")
    application = _apply(partner_type="value_added_reseller")
    change = f"/admin/partners/partnerapplication/{application.pk}/change/"
    page = staff_api.get(change)
    assert page.status_code == 200
    assert b"Approve" in page.content
    assert b"At least 2 years of operation" in page.content
    listing = staff_api.get("/admin/partners/partnerapplication/?late=yes")
    assert listing.status_code == 200

    reject = f"/admin/partners/partnerapplication/{application.pk}/reject/"
    assert staff_api.post(reject, {"text": ""}).status_code == 200  # form error shown
    with django_capture_on_commit_callbacks(execute=True):
        response = staff_api.post(f"/admin/partners/partnerapplication/{application.pk}/approve/")
    assert response.status_code == 302
    application.refresh_from_db()
    assert application.status == PartnerApplication.Status.APPROVED


def test_a_forged_forwarded_for_header_does_not_escape_the_rate_limit():
    for n in range(5):
        response = APIClient().post(
            "/api/v1/applications",
            {**VALID, "contact_email": f"c{n}@fjord.example"},
            format="json",
            HTTP_X_FORWARDED_FOR=f"198.51.100.{n}",
        )
        assert response.status_code == 201
    forged = APIClient().post(
        "/api/v1/applications", VALID, format="json", HTTP_X_FORWARDED_FOR="198.51.100.99"
    )
    assert forged.status_code == 429
    assert set(PartnerApplication.objects.values_list("submitted_ip", flat=True)) == {"127.0.0.1"}
