"""A partner's first day in a real browser: the invited administrator accepts the
invitation, signs the agreement (which confirms itself), follows the dashboard's checklist
to the company profile, and ends up listed in the partner locator. Part of it on a phone,
through the one menu."""

import io
import re

import pytest
from django.core import mail
from django.core.management import call_command

from partners.models import Membership, Organisation, PartnerType, Tier
from partners.services.team import invitation_create
from tests.browser import browser_page, require_chromium, screenshot
from tests.factories import OrganisationFactory
from tests.partners.factories_directory import words
from tests.partners.factories_onboarding import AgreementFactory
from tests.tenancy_support import observer

pytestmark = pytest.mark.browser

PASSWORD = "a-long-and-new-pass-2026"
DESCRIPTION = (
    "Fjord Systems builds and runs virtualization platforms for Norwegian mid-sized firms. "
    + words(40)
)


@pytest.fixture
def invited(transactional_db, settings, tmp_path):
    """A just-approved reseller of the default programme: pending, its agreement ready,
    its first administrator invited by email."""
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.PRIVATE_MEDIA_ROOT = tmp_path / "private"
    call_command("load_programme", "vates", "--default", stdout=io.StringIO())
    with observer():
        reseller = PartnerType.objects.get(programme__is_default=True, code="reseller")
        tier = Tier.objects.get(partner_type=reseller, level=1)
    organisation = OrganisationFactory(
        name="Fjord Systems AS",
        country="NO",
        partner_type=reseller,
        tier=tier,
        status=Organisation.Status.PENDING,
    )
    AgreementFactory(organisation=organisation)
    invitation_create(
        organisation=organisation,
        email="ingrid@fjord.example",
        role=Membership.Role.ADMIN,
        invited_by=None,
        base_url="http://testserver",
    )
    link = re.search(r"https?://\S+(/invitations/[^/\s]+/)", mail.outbox[-1].body).group(1)
    return organisation, link


def _steps(page) -> dict[str, str]:
    return {
        item.get_attribute("data-step"): item.get_attribute("data-done")
        for item in page.locator("[data-step]").all()
    }


def test_a_partners_first_day(invited, live_server, tmp_path):
    require_chromium()
    _organisation, link = invited
    base = live_server.url
    shots = tmp_path / "shots"

    with browser_page() as page:
        # Given the invitation, accepted with a new password
        page.goto(f"{base}{link}")
        page.fill("input[name=full_name]", "Ingrid Berg")
        page.fill("input[name=password]", PASSWORD)
        page.fill("input[name=password_confirm]", PASSWORD)
        page.locator("form [type=submit]").last.click()
        page.wait_for_url(f"{base}/space/agreement/")
        # A pending organisation's navigation offers the signing pages only
        sidebar = page.locator("aside .space-nav")
        assert sidebar.get_by_role("link").all_inner_texts() == ["Agreement", "Documents"]
        assert page.locator(".badge", has_text="Awaiting signature").is_visible()
        screenshot(page, "1-agreement", shots)

        # When the agreement is signed
        page.fill("input[name=name]", "Ingrid Berg")
        page.check("input[name=accept]")
        page.get_by_role("button", name=re.compile("Sign the agreement")).click()
        page.wait_for_url(f"{base}/space/")

        # Then the dashboard confirms it, and the checklist shows it done
        assert page.get_by_role("status").filter(has_text="signed").is_visible()
        assert _steps(page) == {
            "agreement": "yes",
            "profile": "no",
            "team": "no",
            "sales_training": "no",
            "certifications": "no",
        }
        labels = sidebar.get_by_role("link").all_inner_texts()
        assert labels == [
            "Dashboard",
            "Products & prices",
            "Price calculator",
            "Quotes",
            "Orders",
            "Deal registrations",
            "Referrals",
            "Contact requests",
            "Licences",
            "Renewals",
            "Trials / PoC",
            "NFR licences",
            "Invoices",
            "Marketing funds",
            "Training",
            "Sessions & training",
            "Engagement points",
            "Agreement",
            "Documents",
            "Marketing center",
            "Company profile",
            "Billing account",
            "Team",
            "Activity",
        ]
        screenshot(page, "2-dashboard", shots)

        # When the partner follows the checklist to its profile and writes it
        page.locator("[data-step=profile] a").click()
        page.wait_for_url(f"{base}/space/profile/")
        page.fill("input[name=display_name]", "Fjord Systems")
        page.fill("textarea[name=description]", DESCRIPTION)
        page.fill("input[name=city]", "Bergen")
        page.locator("form [type=submit]").last.click()
        page.wait_for_url(f"{base}/space/profile/")
        assert page.get_by_text("Your profile is saved.").is_visible()

        # Then the checklist shows the profile listed, and the locator lists it
        page.goto(f"{base}/space/")
        assert _steps(page)["profile"] == "yes"
        page.goto(f"{base}/partners/")
        assert page.get_by_text("Fjord Systems").first.is_visible()
        problems = list(page.problems)
    assert problems == []

    # And on a phone, one menu leads to the same pages (the signed documents among them)
    with browser_page(390, 844) as page:
        page.goto(f"{base}/accounts/login/")
        page.fill("input[name=login]", "ingrid@fjord.example")
        page.fill("input[name=password]", PASSWORD)
        page.locator("form [type=submit]").last.click()
        page.wait_for_load_state()
        page.goto(f"{base}/space/")
        assert page.locator("button[data-bs-toggle]").count() == 1
        page.locator("button.navbar-toggler").click()
        menu = page.locator(".space-nav-phone")
        menu.get_by_role("link", name="Documents").click()
        page.wait_for_url(f"{base}/space/documents/")
        assert page.get_by_text("Signed by Ingrid Berg").is_visible()
        screenshot(page, "3-documents-phone", shots)
        problems = list(page.problems)
    assert problems == []
