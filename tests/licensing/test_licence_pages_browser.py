"""The licensing pages in a real browser, on the demo data: a distributor's catalogue and
licences (its own and one supplied to a reseller, read-only), the reseller's view of the
same licence, and the channel team's catalogue and licence lists. Every page fits the
screen at desktop and phone width; screenshots for people to look at."""

import io

import pytest
from django.core.management import call_command
from django.db.models import Q

from licensing.models import Licence
from portal.pagination import PAGE_SIZE
from tests.browser import browser_page, require_chromium, screenshot

pytestmark = pytest.mark.browser

PASSWORD = "demo-pass-2026"


@pytest.fixture
def demo(transactional_db, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.PRIVATE_MEDIA_ROOT = tmp_path / "private"
    call_command("seed_demo", stdout=io.StringIO())


def _log_in(page, base, email, landing="/space/"):
    page.goto(f"{base}/accounts/login/?next={landing}")
    page.fill("input[name=login]", email)
    page.fill("input[name=password]", PASSWORD)
    page.locator("form [type=submit]").last.click()
    page.wait_for_url(f"{base}{landing}")


def _overflow(page) -> int:
    return page.evaluate("document.documentElement.scrollWidth - window.innerWidth")


@pytest.mark.parametrize(("width", "height"), [(1366, 900), (390, 844)])
def test_a_distributor_and_its_reseller_read_their_licences(
    demo, live_server, tmp_path, width, height
):
    require_chromium()
    base, shots = live_server.url, tmp_path / "shots"
    supplied = Licence.objects.get(source="demo:supplied-1")
    northwind = supplied.distributor
    readable = Licence.objects.filter(Q(organisation=northwind) | Q(distributor=northwind)).count()
    # The demo licence supplied to Bluepeak, and those of Bluepeak's orders through Northwind.
    supplied_count = Licence.objects.filter(distributor=northwind).count()

    with browser_page(width, height) as page:
        # Given Northwind's administrator (a distributor)
        _log_in(page, base, "admin@northwind.example")

        # The catalogue shows the four Vates bundles with their prices
        page.goto(f"{base}/space/catalogue/")
        screenshot(page, f"catalogue-{width}", shots)
        assert page.locator("[data-product]").count() == 4
        assert page.get_by_text("€1,800 per host a year").is_visible()
        assert _overflow(page) <= 0

        # Their licences, and those supplied to Bluepeak, marked so
        # (the demo's year of history runs to more than one page)
        page.goto(f"{base}/space/licences/")
        screenshot(page, f"licences-distributor-{width}", shots)
        assert page.locator("tbody tr").count() == min(readable, PAGE_SIZE)
        pages = page.get_by_role("navigation", name="Licence pages")
        assert pages.is_visible() == (readable > PAGE_SIZE)
        assert _overflow(page) <= 0
        page.get_by_role("link", name="Supplied to resellers").click()
        page.wait_for_url(f"{base}/space/licences/?scope=supplied")
        assert page.locator("tbody tr").count() == min(supplied_count, PAGE_SIZE)
        assert page.get_by_text("Supplied to Bluepeak IT").count() == min(supplied_count, PAGE_SIZE)

        # Opening it: read-only, no action
        page.locator(f"tr[data-licence='{supplied.pk}'] a").first.click()
        page.wait_for_url(f"{base}/space/licences/{supplied.pk}/")
        screenshot(page, f"licence-distributor-{width}", shots)
        assert page.get_by_text("Supplied to Bluepeak IT.").is_visible()
        assert page.get_by_role("link", name="Bind to customer").count() == 0
        assert _overflow(page) <= 0
        problems = list(page.problems)
    assert problems == []

    with browser_page(width, height) as page:
        # Bluepeak's administrator owns it, and sees it came through Northwind
        _log_in(page, base, "admin@bluepeak.example")
        page.goto(f"{base}/space/licences/")
        screenshot(page, f"licences-reseller-{width}", shots)
        assert page.get_by_text("Through Northwind Distribution").first.is_visible()
        page.goto(f"{base}/space/licences/{supplied.pk}/")
        screenshot(page, f"licence-reseller-{width}", shots)
        assert page.get_by_text("Supplied to").count() == 0
        assert page.get_by_text("Setup and upgrade assistance").is_visible()
        assert _overflow(page) <= 0
        problems = list(page.problems)
    assert problems == []


def test_the_channel_teams_catalogue_and_licences(demo, live_server, tmp_path):
    require_chromium()
    base, shots = live_server.url, tmp_path / "shots"
    supplied = Licence.objects.get(source="demo:supplied-1")

    with browser_page(1366, 900) as page:
        _log_in(page, base, "programme@vendor.example", landing="/admin/")
        overflowing = {}
        for name, path in (
            ("products", "/admin/licensing/product/"),
            ("licences", "/admin/licensing/licence/"),
            ("licence-events", "/admin/licensing/licenceevent/"),
        ):
            page.goto(f"{base}{path}")
            screenshot(page, f"console-{name}-1366", shots)
            widths = page.evaluate(
                "(() => { const r = document.querySelector('.results');"
                " return r ? [r.scrollWidth, r.clientWidth] : [0, 0]; })()"
            )
            if widths[0] > widths[1]:
                overflowing[name] = widths
        assert overflowing == {}
        page.goto(f"{base}/admin/licensing/licence/{supplied.pk}/change/")
        screenshot(page, "console-licence-1366", shots)
        assert page.get_by_text("Northwind Distribution").count() >= 1  # its distributor
        assert page.locator("input[name=_save]").count() == 0  # read-only
        page.goto(f"{base}/admin/licensing/licence/add/")
        screenshot(page, "console-licence-issue-1366", shots)
        assert (
            page.get_by_role("button", name="Issue the licence").count()
            + page.locator("input[value='Issue the licence']").count()
            >= 1
        )
        problems = list(page.problems)
    assert problems == []
