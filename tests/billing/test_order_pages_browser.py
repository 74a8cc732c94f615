"""The new-order page in a real browser: a reseller previews a customer's order (every
step of the engine shown), then places it, and lands on the order with its licence.
Screenshots for people to look at (SCREENSHOT_DIR)."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.test import Client

from billing.models import Order
from tests.billing.conftest import make_partner
from tests.billing.test_pricing_rules import FR_VAT
from tests.browser import browser_page, require_chromium, screenshot
from tests.tenancy_support import observer

pytestmark = pytest.mark.browser


@pytest.fixture
def reseller(vates_committed):
    return make_partner(
        vates_committed, type_code="reseller", name="Bluepeak IT", vat_number=FR_VAT
    )


def _session_cookie(user, base: str) -> dict:
    client = Client()
    client.force_login(user)
    return {
        "name": settings.SESSION_COOKIE_NAME,
        "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
        "url": base,
    }


def test_preview_then_place_an_order(reseller, live_server, tmp_path):
    require_chromium()
    base, shots = live_server.url, tmp_path / "shots"
    cookie = _session_cookie(reseller.admin, base)
    with browser_page(1366, 900) as page:
        page.context.add_cookies([cookie])
        page.goto(f"{base}/space/orders/new/")
        assert page.get_by_role("heading", name="New order for a customer").is_visible()
        page.fill("input[name=customer_name]", "Acme Hospital")
        page.fill("input[name=customer_email]", "it@acme-hospital.example")
        page.select_option("select[name=customer_country]", "DE")
        page.select_option("select[name=line-0-product]", "pro")
        page.fill("input[name=line-0-quantity]", "3")
        page.check("input[name=customer_nonprofit]")
        page.get_by_role("button", name="Preview price").click()
        page.wait_for_selector("#preview-heading")
        screenshot(page, "order-preview", shots)
        preview = page.locator("section[aria-labelledby=preview-heading]").inner_text()
        for amount in ("3,000.00", "2,700.00", "2,430.00", "2,916.00"):
            assert amount in preview, amount
        page.get_by_role("button", name="Place order").click()
        page.wait_for_url(f"{base}/space/orders/*/")
        screenshot(page, "order-placed", shots)
        assert page.get_by_text("Bind to the customer").is_visible()
        page.goto(f"{base}/space/orders/new/?space=personal")
        assert page.get_by_role("heading", name="New order for your own use").is_visible()
        screenshot(page, "order-personal", shots)
        page.goto(f"{base}/space/orders/")
        screenshot(page, "order-list", shots)
        assert page.get_by_text("Acme Hospital").is_visible()
        page.context.clear_cookies()
        page.goto(f"{base}/redeem-code/")
        screenshot(page, "redeem-code", shots)
        assert page.get_by_role("heading", name="Redeem a licence code").is_visible()
        assert page.problems == []
    with observer():
        (order,) = Order.objects.all()
    assert order.customer_name == "Acme Hospital"
    assert str(order.net_amount) == "2430.00"
