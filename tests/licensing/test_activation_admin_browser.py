"""Activation and the customers' links in a real browser, on the demo data: the channel
team's lists fit a 1366 px screen, and a partner releases its demo customer's machine from
the licence's page (at desktop and phone width). Screenshots for people to look at."""

import io

import pytest
from django.core.management import call_command

from licensing.models import Activation, Licence
from tests.browser import browser_page, require_chromium, screenshot

pytestmark = pytest.mark.browser

PASSWORD = "demo-pass-2026"


@pytest.fixture
def demo(transactional_db, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.PRIVATE_MEDIA_ROOT = tmp_path / "private"
    call_command("seed_demo", stdout=io.StringIO())


def _log_in(page, base, email, landing):
    page.goto(f"{base}/accounts/login/?next={landing}")
    page.fill("input[name=login]", email)
    page.fill("input[name=password]", PASSWORD)
    page.locator("form [type=submit]").last.click()
    page.wait_for_url(f"{base}{landing}")


def _overflow(page) -> int:
    return page.evaluate("document.documentElement.scrollWidth - window.innerWidth")


def test_the_channel_teams_activation_lists_fit_the_screen(demo, live_server, tmp_path):
    require_chromium()
    base, shots = live_server.url, tmp_path / "shots"
    machine = Activation.objects.select_related("licence").first()

    with browser_page(1366, 900) as page:
        _log_in(page, base, "programme@vendor.example", "/admin/")
        overflowing = {}
        for name, path in (
            ("signing-keys", "/admin/licensing/signingkey/"),
            ("activations", "/admin/licensing/activation/"),
            ("customer-links", "/admin/licensing/customerlink/"),
            ("seats", "/admin/licensing/seat/"),
            ("licence-reminders", "/admin/licensing/licencereminder/"),
            ("activation", f"/admin/licensing/activation/{machine.pk}/change/"),
        ):
            page.goto(f"{base}{path}")
            screenshot(page, f"console-{name}-1366", shots)
            widths = page.evaluate(
                "(() => { const r = document.querySelector('.results');"
                " return r ? [r.scrollWidth, r.clientWidth] : [0, 0]; })()"
            )
            if widths[0] > widths[1] or _overflow(page) > 0:
                overflowing[name] = widths
        assert overflowing == {}
        assert page.get_by_text(machine.hostname).count() >= 1
        problems = list(page.problems)
    assert problems == []


@pytest.mark.parametrize(("width", "height"), [(1366, 900), (390, 844)])
def test_a_partner_releases_its_customers_machine(demo, live_server, tmp_path, width, height):
    require_chromium()
    base, shots = live_server.url, tmp_path / "shots"
    licence = Licence.objects.get(source="demo:active", organisation__name="Bluepeak IT")
    machine = Activation.objects.get(licence=licence)

    with browser_page(width, height) as page:
        # Given Bluepeak's administrator on the demo customer's active licence
        _log_in(page, base, "admin@bluepeak.example", "/space/")
        page.goto(f"{base}/space/licences/{licence.pk}/")
        screenshot(page, f"licence-machines-{width}", shots)
        assert page.get_by_text("1 of 1 in use").is_visible()
        assert _overflow(page) <= 0

        # When they release the machine
        page.get_by_role("button", name=f"Release {machine.hostname}").click()
        page.wait_for_url(f"{base}/space/licences/{licence.pk}/")

        # Then the page says so and offers no button for it any more
        screenshot(page, f"licence-machine-released-{width}", shots)
        assert (
            page.get_by_role("status").filter(has_text=f"{machine.hostname} released").is_visible()
        )
        assert page.get_by_text("0 of 1 in use").is_visible()
        assert page.get_by_role("button", name=f"Release {machine.hostname}").count() == 0
        assert _overflow(page) <= 0
        problems = list(page.problems)
    assert problems == []
