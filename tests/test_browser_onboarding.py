"""The whole onboarding in a real browser: application -> review -> approval -> agreement
PDFs -> invitation -> click-sign -> active partner -> the invited admin logs in."""

import io
import re

import pytest
from django.core import mail
from django.core.management import call_command

from partners.models import Agreement, Organisation, PartnerApplication
from tests.browser import browser_page, require_chromium, screenshot
from tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.browser

NEW_PASSWORD = "a-long-and-new-pass-2026"


@pytest.fixture
def portal(transactional_db, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.PRIVATE_MEDIA_ROOT = tmp_path / "private"
    for name in ("mattermost", "vates"):
        call_command("load_programme", name, stdout=io.StringIO())
    return UserFactory(email="reviewer@vendor.example", is_staff=True, is_superuser=True)


def _log_in(page, base, email, password):
    page.goto(f"{base}/accounts/login/")
    page.fill("input[name=login]", email)
    page.fill("input[name=password]", password)
    page.locator("form [type=submit]").last.click()
    page.wait_for_load_state()


def test_from_application_to_an_active_partner(portal, live_server, tmp_path):
    require_chromium()
    base = live_server.url
    shots = tmp_path / "shots"

    # Given a company applying through the public form
    with browser_page() as page:
        page.goto(f"{base}/apply/")
        page.fill("input[name=company_name]", "Fjord Systems AS")
        page.select_option("select[name=country]", "NO")
        page.fill("input[name=website]", "https://fjord.example")
        page.fill("input[name=years_in_operation]", "7")
        page.select_option("select[name=partner_type]", label="Reseller")
        page.fill("textarea[name=expectations]", "Virtualization for Norwegian mid-sized firms.")
        page.fill("input[name=contact_name]", "Ingrid Berg")
        page.fill("input[name=contact_email]", "ingrid@fjord.example")
        screenshot(page, "1-apply", shots)
        page.get_by_role("button", name="Send application").click()
        page.wait_for_url(f"{base}/apply/thanks/")
        problems = list(page.problems)
    assert problems == []
    application = PartnerApplication.objects.get()
    assert application.company_name == "Fjord Systems AS"

    # When the channel team approves it in the admin
    with browser_page() as page:
        _log_in(page, base, "reviewer@vendor.example", PASSWORD)
        page.goto(f"{base}/admin/partners/partnerapplication/{application.pk}/change/")
        screenshot(page, "2-review", shots)
        page.get_by_role("link", name="Approve").click()
        page.locator("input[type=submit][value=Approve]").click()
        page.wait_for_load_state()
        content = page.content()
    assert "Approved: Fjord Systems AS created" in content

    organisation = Organisation.objects.get(name="Fjord Systems AS")
    assert organisation.status == Organisation.Status.PENDING
    agreement = Agreement.objects.get(organisation=organisation)
    assert agreement.pdf_status == Agreement.PdfStatus.READY  # rendered by the task
    invitation_mail = next(m for m in mail.outbox if "/invitations/" in m.body)
    assert invitation_mail.to == ["ingrid@fjord.example"]
    link = re.search(r"https?://\S+(/invitations/[^/\s]+/)", invitation_mail.body).group(1)

    # Then the invited admin joins, reads and signs the agreement
    with browser_page() as page:
        page.goto(f"{base}{link}")
        page.fill("input[name=full_name]", "Ingrid Berg")
        page.fill("input[name=password]", NEW_PASSWORD)
        page.fill("input[name=password_confirm]", NEW_PASSWORD)
        page.locator("form [type=submit]").last.click()
        page.wait_for_url(f"{base}/space/agreement/")
        screenshot(page, "3-agreement", shots)
        pdf = page.request.get(f"{base}/space/agreement/{agreement.pk}/agreement.pdf")
        assert pdf.ok
        assert pdf.body().startswith(b"%PDF-")
        page.fill("input[name=name]", "Ingrid Berg")
        page.check("input[name=accept]")
        page.get_by_role("button", name=re.compile("Sign the agreement")).click()
        page.wait_for_url(f"{base}/space/")
        screenshot(page, "4-dashboard", shots)
        dashboard = page.content()
        problems = list(page.problems)
    assert "Fjord Systems AS" in dashboard
    assert problems == []

    organisation.refresh_from_db()
    agreement.refresh_from_db()
    assert organisation.status == Organisation.Status.ACTIVE
    assert agreement.accepted_name == "Ingrid Berg"
    assert agreement.accepted_by.email == "ingrid@fjord.example"
    assert agreement.accepted_ip == "127.0.0.1"

    # And, later, the new admin logs in with the password they chose
    with browser_page(390, 844) as page:
        _log_in(page, base, "ingrid@fjord.example", NEW_PASSWORD)
        page.goto(f"{base}/space/")
        assert page.url == f"{base}/space/"
        screenshot(page, "5-dashboard-phone", shots)
        assert "Fjord Systems AS" in page.content()

    subjects = [m.subject for m in mail.outbox]
    assert any("received your application" in s for s in subjects)
    assert any("approved" in s for s in subjects)
    assert any("signed" in s.lower() for s in subjects)
