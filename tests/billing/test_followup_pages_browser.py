"""On the demo data, in a real browser: Bluepeak's Documents page with its quotes' PDFs,
Northwind's order form filled for its reseller Bluepeak (previewed: both price layers),
and the end customer's redemption-code page. Each fits desktop and phone widths without
console errors; screenshots for people to look at."""

import io

import pytest
from django.core.management import call_command

from billing.models import Quote
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
def test_documents_the_order_form_for_a_reseller_and_the_code_page(
    demo, live_server, tmp_path, width, height
):
    require_chromium()
    base, shots = live_server.url, tmp_path / "shots"
    bluepeak = Organisation.objects.get(name="Bluepeak IT")
    sent = Quote.objects.get(organisation=bluepeak, status="sent")
    problems = []

    with browser_page(width, height) as page:
        _log_in(page, base, "admin@bluepeak.example")
        page.goto(f"{base}/space/documents/")
        screenshot(page, f"documents-{width}", shots)
        quotes = page.locator("section[aria-labelledby=quotes-heading]")
        assert quotes.get_by_text(f"Quote {sent.reference}").is_visible()
        assert quotes.get_by_role("link", name="Customer's quote (PDF)").count() == 2
        assert _overflow(page) <= 0
        problems += page.problems

    with browser_page(width, height) as page:
        _log_in(page, base, "admin@northwind.example")
        page.goto(f"{base}/space/orders/new/")
        page.select_option("select[name=reseller]", str(bluepeak.pk))
        page.fill("input[name=customer_name]", "Groupe Rhone Sante")
        page.fill("input[name=customer_email]", "achats@rhone-sante.example")
        page.select_option("select[name=customer_country]", "FR")
        page.select_option("select[name=line-0-product]", "pro")
        page.fill("input[name=line-0-quantity]", "4")
        page.get_by_role("button", name="Preview price").click()
        page.wait_for_load_state()
        screenshot(page, f"order-for-reseller-{width}", shots)
        assert page.get_by_text("Your price from the vendor").first.is_visible()
        assert _overflow(page) <= 0
        problems += page.problems

    with browser_page(width, height) as page:
        page.goto(f"{base}/redeem-code/")
        screenshot(page, f"redeem-code-{width}", shots)
        assert page.get_by_label("Redemption code").is_visible()
        assert _overflow(page) <= 0
        problems += page.problems
    assert problems == []
