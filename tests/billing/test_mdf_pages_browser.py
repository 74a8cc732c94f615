"""On the demo data, in a real browser: Northwind's marketing funds page (the figures, a
new request, the request in review), and the channel team's queue on the admin home.
Desktop and phone widths, no console errors; screenshots for people to look at."""

import io

import pytest
from django.core.management import call_command

from billing.demo_mdf import seed_mdf
from portal.tenancy.context import system_context
from tests.browser import browser_page, require_chromium, screenshot
from tests.licensing.test_licence_pages_browser import _log_in, _overflow

pytestmark = pytest.mark.browser


@pytest.fixture
def demo(transactional_db, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.PRIVATE_MEDIA_ROOT = tmp_path / "private"
    call_command("seed_demo", stdout=io.StringIO())
    with system_context("command:seed_demo"):
        seed_mdf(io.StringIO())


@pytest.mark.parametrize(("width", "height"), [(1366, 900), (390, 844)])
def test_a_partner_requests_funds_and_the_channel_team_sees_the_queue(
    demo, live_server, tmp_path, width, height
):
    require_chromium()
    base, shots = live_server.url, tmp_path / "shots"
    problems = []
    with browser_page(width, height) as page:
        _log_in(page, base, "admin@northwind.example")
        page.goto(f"{base}/space/mdf/")
        assert page.locator("#mdf-remaining").inner_text() == "7,500.00 EUR"
        assert page.get_by_text("Partner enablement day, Hamburg").is_visible()
        page.fill("input[name=activity]", "Trade fair booth")
        page.fill("input[name=start_date]", "2030-03-01")
        page.fill("input[name=end_date]", "2030-03-03")
        page.fill("input[name=cost]", "1500")
        page.fill("textarea[name=expected_result]", "200 visitors, 20 leads")
        page.get_by_role("button", name="Send the request").click()
        page.wait_for_url(f"{base}/space/mdf/")
        assert page.locator("#mdf-remaining").inner_text() == "6,000.00 EUR"
        screenshot(page, f"mdf-{width}", shots)
        assert _overflow(page) <= 0
        problems += page.problems
    with browser_page(width, height) as page:
        _log_in(page, base, "staff@vendor.example", landing="/admin/")
        queue = page.locator("#review-queues")
        assert queue.get_by_text("Marketing fund requests and claims").is_visible()
        page.goto(f"{base}/admin/billing/mdfrequest/")
        assert page.get_by_text("Trade fair booth").is_visible()
        screenshot(page, f"mdf-admin-{width}", shots)
        problems += page.problems
    assert problems == []
