"""A channel-team member's morning in a real browser: log in, see the review queue with
its counts on the admin home, open the late application, approve it, and see the queue
shrink. Screenshots of the console's main pages at desktop and phone width."""

import io
import re

import pytest
from django.core.management import call_command

from partners.models import Organisation, PartnerApplication
from tests.browser import browser_page, require_chromium, screenshot

pytestmark = pytest.mark.browser

REVIEWER = "reviewer@vendor.example"  # the demo's reviewer: a group, not a superuser


@pytest.fixture
def demo(transactional_db, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.PRIVATE_MEDIA_ROOT = tmp_path / "private"
    call_command("seed_demo", stdout=io.StringIO())


def _log_in(page, base):
    page.goto(f"{base}/accounts/login/?next=/admin/")
    page.fill("input[name=login]", REVIEWER)
    page.fill("input[name=password]", "demo-pass-2026")
    page.locator("form [type=submit]").last.click()
    page.wait_for_url(f"{base}/admin/")


def _queue(page) -> tuple[str, str]:
    row = page.locator("#review-queues tr.portal-queue", has_text="Partner applications")
    return (
        row.locator("td").nth(0).inner_text().strip(),
        row.locator("td").nth(1).inner_text().strip(),
    )


def test_a_reviewers_morning_from_the_queue_to_a_decision(demo, live_server, tmp_path):
    require_chromium()
    base = live_server.url
    shots = tmp_path / "shots"
    late = PartnerApplication.objects.get(company_name="Alpine Cloud Services AG")

    with browser_page(1366, 900) as page:
        # Given a reviewer who logs in: the admin home starts with the queue
        _log_in(page, base)
        screenshot(page, "console-home-1366", shots)
        assert _queue(page) == ("3", "1 late")

        # When they open the late applications, then the late one
        # (the deal registrations' queue has late ones too: the applications' row)
        applications = page.locator(
            "#review-queues tr.portal-queue", has_text="Partner applications"
        )
        applications.locator("a.portal-late").click()
        page.wait_for_load_state()
        screenshot(page, "console-late-applications-1366", shots)
        rows = page.locator("#result_list tbody tr")
        assert rows.count() == 1
        rows.first.get_by_role("link", name="Alpine Cloud Services AG").click()
        page.wait_for_url(re.compile(rf"/{late.pk}/change/"))
        screenshot(page, "console-application-1366", shots)
        assert "past the review time" in page.locator("#decision").inner_text()

        # And approve it
        page.locator("#decision").get_by_role("link", name="Approve").click()
        page.locator("input[type=submit][value=Approve]").click()
        page.wait_for_url(re.compile(rf"/{late.pk}/change/"))
        assert "Approved: Alpine Cloud Services AG created" in page.content()

        # Then the queue has one application fewer, and none late
        page.goto(f"{base}/admin/")
        assert _queue(page) == ("2", "none")
        # and the decision is among their recent actions (from the audit trail)
        assert "Alpine Cloud Services AG" in page.locator("#recent-actions-module").inner_text()
        screenshot(page, "console-home-after-1366", shots)
        page.goto(f"{base}/admin/partners/organisation/?q=Alpine")
        page.get_by_role("link", name="Alpine Cloud Services AG").first.click()
        page.wait_for_load_state()
        screenshot(page, "console-organisation-1366", shots)
        assert "Alpine Cloud Services AG, submitted" in page.content()

        page.goto(f"{base}/admin/partners/partnerapplication/")
        screenshot(page, "console-applications-1366", shots)

        # Every list they work with fits the screen beside its filters
        overflowing = {}
        for model in (
            "partnerapplication",
            "organisation",
            "membership",
            "partnerprofile",
            "salestraining",
            "technicalcertification",
            "programme",
            "partnertype",
            "tier",
            "discountrule",
            "embargoedterritory",
        ):
            query = "?status=all" if model == "partnerapplication" else ""
            page.goto(f"{base}/admin/partners/{model}/{query}")
            widths = page.evaluate(
                "(() => { const r = document.querySelector('.results');"
                " return r ? [r.scrollWidth, r.clientWidth] : [0, 0]; })()"
            )
            if widths[0] > widths[1]:
                overflowing[model] = widths
        assert overflowing == {}
        problems = list(page.problems)

    assert problems == []
    late.refresh_from_db()
    assert late.status == PartnerApplication.Status.APPROVED
    organisation = Organisation.objects.get(name="Alpine Cloud Services AG")

    # The same pages on a phone
    with browser_page(390, 844) as page:
        _log_in(page, base)
        screenshot(page, "console-home-390", shots)
        assert _queue(page) == ("2", "none")
        for name, path in (
            ("applications", "/admin/partners/partnerapplication/"),
            ("application", f"/admin/partners/partnerapplication/{late.pk}/change/"),
            ("organisation", f"/admin/partners/organisation/{organisation.pk}/change/"),
        ):
            page.goto(f"{base}{path}")
            screenshot(page, f"console-{name}-390", shots)
            width = page.evaluate("document.documentElement.scrollWidth")
            assert width <= 390, (name, width)
        page.goto(f"{base}/admin/partners/organisation/{organisation.pk}/change/")
        application_link = page.get_by_role("link", name=re.compile("Alpine Cloud Services AG"))
        assert application_link.count() >= 1
        problems = list(page.problems)
    assert problems == []
