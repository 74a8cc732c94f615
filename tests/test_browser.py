"""A partner logs in with a real browser and sees the reseller space."""

import io

import pytest
from django.core.management import call_command

from tests.browser import browser_page, require_chromium

pytestmark = pytest.mark.browser


@pytest.fixture
def demo_data(transactional_db):
    call_command("seed_demo", stdout=io.StringIO())


@pytest.mark.parametrize(("width", "height"), [(1280, 800), (390, 844)])
def test_a_demo_partner_logs_in_and_sees_the_dashboard(
    demo_data, live_server, tmp_path, width, height
):
    require_chromium()
    with browser_page(width, height) as page:
        page.goto(f"{live_server.url}/space/")
        # Sent to the login page first, then back to the space.
        assert "/accounts/login/" in page.url
        page.fill("input[name=login]", "admin@northwind.example")
        page.fill("input[name=password]", "demo-pass-2026")
        page.locator("form [type=submit]").last.click()
        page.wait_for_url(f"{live_server.url}/space/")

        content = page.content()
        screenshot = page.screenshot(path=str(tmp_path / f"dashboard-{width}.png"), full_page=True)
        problems = list(page.problems)

    assert "Northwind Distribution" in content
    assert "Bluepeak" not in content
    assert screenshot[:8] == b"\x89PNG\r\n\x1a\n"
    # No CSP violation or script error in the console.
    assert problems == []
