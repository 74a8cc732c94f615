"""The billing settings pages in a real browser, on the demo data: Northwind's billing
account, its resellers and margins, the calculator for one of its resellers (both layers),
and Bluepeak's calculator in each space. Every page fits the screen at desktop and phone
width, without console errors; screenshots for people to look at."""

import io

import pytest
from django.core.management import call_command

from partners.models import Organisation
from tests.browser import browser_page, require_chromium, screenshot
from tests.licensing.test_licence_pages_browser import _log_in, _overflow

pytestmark = pytest.mark.browser


@pytest.fixture
def demo(transactional_db, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.PRIVATE_MEDIA_ROOT = tmp_path / "private"
    call_command("seed_demo", stdout=io.StringIO())


@pytest.mark.parametrize(("width", "height"), [(1366, 900), (390, 844)])
def test_billing_settings_and_the_calculator(demo, live_server, tmp_path, width, height):
    require_chromium()
    base, shots = live_server.url, tmp_path / "shots"
    bluepeak = Organisation.objects.get(name="Bluepeak IT")
    sale = "product=pro&quantity=3&customer_country=FR"
    problems = []

    with browser_page(width, height) as page:
        _log_in(page, base, "admin@northwind.example")
        page.goto(f"{base}/space/billing/account/")
        screenshot(page, f"billing-account-{width}", shots)
        assert page.get_by_text("Reverse charge").first.is_visible()
        assert _overflow(page) <= 0

        page.goto(f"{base}/space/resellers/")
        screenshot(page, f"resellers-{width}", shots)
        assert page.locator(f"#reseller-{bluepeak.pk}").is_visible()
        assert page.locator("#margin-table tbody tr").count() == 4
        assert _overflow(page) <= 0

        page.goto(f"{base}/space/pricing/?{sale}&reseller={bluepeak.pk}")
        screenshot(page, f"pricing-distributor-{width}", shots)
        assert page.locator("#margin").is_visible()
        assert _overflow(page) <= 0
        problems += page.problems

    with browser_page(width, height) as page:
        _log_in(page, base, "admin@bluepeak.example")
        page.goto(f"{base}/space/pricing/?{sale}")
        screenshot(page, f"pricing-reseller-{width}", shots)
        assert page.get_by_text("You buy through").is_visible()
        assert page.get_by_text("The vendor sells to you").count() == 0
        assert _overflow(page) <= 0

        page.get_by_role("link", name="Personal space").click()
        page.wait_for_url(f"{base}/space/pricing/?space=personal")
        page.get_by_role("button", name="Price it").click()
        page.wait_for_load_state()
        screenshot(page, f"pricing-personal-{width}", shots)
        assert page.locator("#space-banner").get_by_text("Personal space").is_visible()
        assert page.locator("#total").is_visible()
        assert _overflow(page) <= 0
        problems += page.problems
    assert problems == []
