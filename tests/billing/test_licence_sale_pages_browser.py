"""Credits, upgrades and renewals in a real browser: a partner upgrades a customer's licence
(the unused time's credit shown in the preview), renews another from the renewals page,
and a Xen Orchestra reseller reads its first-sale credit. Screenshots for people to look
at (SCREENSHOT_DIR)."""

from __future__ import annotations

import datetime

import pytest
from django.conf import settings
from django.test import Client
from django.utils import timezone

from billing.models import Order
from licensing.models import Licence
from tests.billing.conftest import make_partner
from tests.billing.credit_support import load_xen_orchestra, xo_order_body
from tests.billing.licence_sale_support import DE_VAT, FR_VAT, sell
from tests.browser import browser_page, require_chromium, screenshot
from tests.tenancy_support import observer

pytestmark = pytest.mark.browser


def _session_cookie(user, base: str) -> dict:
    client = Client()
    client.force_login(user)
    return {
        "name": settings.SESSION_COOKIE_NAME,
        "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
        "url": base,
    }


@pytest.mark.django_db(transaction=True)
def test_upgrade_renew_and_credit_pages(vates_committed, live_server, tmp_path):
    require_chromium()
    # Given a tier-3 reseller with two customer licences, one ending in 20 days
    reseller = make_partner(
        vates_committed, type_code="reseller", tier=3, name="Bluepeak IT", vat_number=FR_VAT
    )
    _sale, upgrading = sell(reseller, "pro", 3, customer_name="Acme Hospital")
    _sale, renewing = sell(reseller, "essential", 3, customer_name="Atelier Delacroix")
    today = timezone.localdate()
    with observer():
        Licence.objects.filter(pk=renewing.pk).update(
            starts_on=today - datetime.timedelta(days=345),
            ends_on=today + datetime.timedelta(days=20),
        )
    # ...and a Xen Orchestra reseller whose first sale earned credit
    xo = load_xen_orchestra()
    xo_reseller = make_partner(
        xo, type_code="reseller", name="Hafen Systems", country="DE", vat_number=DE_VAT
    )
    with observer():
        from billing.services.orders import order_place

        order_place(
            organisation=xo_reseller.organisation,
            actor=xo_reseller.admin,
            role="admin",
            data=xo_order_body("xoa-enterprise"),
        )

    base, shots = live_server.url, tmp_path / "shots"
    reseller_cookie = _session_cookie(reseller.admin, base)
    xo_cookie = _session_cookie(xo_reseller.admin, base)
    with browser_page(1366, 900) as page:
        page.context.add_cookies([reseller_cookie])
        # The licence's page offers the upgrade
        page.goto(f"{base}/space/licences/{upgrading.pk}/")
        page.get_by_role("link", name="Upgrade").click()
        page.select_option("select[name=product]", "enterprise")
        page.fill("input[name=quantity]", "4")
        page.get_by_role("button", name="Preview the upgrade").click()
        page.wait_for_selector("#unused-heading")
        screenshot(page, "upgrade-preview", shots)
        assert "Upgrade credit" in page.inner_text("#unused-heading")
        page.get_by_role("button", name="Place the upgrade").click()
        page.wait_for_url(f"{base}/space/orders/*/")
        screenshot(page, "upgrade-placed", shots)
        assert page.locator("#upgrade-credit").is_visible()
        # The renewals page lists the licence ending soon; renewing it
        page.goto(f"{base}/space/renewals/")
        screenshot(page, "renewals", shots)
        page.get_by_role("link", name="Renew", exact=True).click()
        page.wait_for_selector("#new-term")
        screenshot(page, "renew", shots)
        page.get_by_role("button", name="Renew for").click()
        page.wait_for_url(f"{base}/space/orders/*/")
        assert page.problems == []
        page.context.clear_cookies()
        page.context.add_cookies([xo_cookie])
        page.goto(f"{base}/space/credits/")
        screenshot(page, "credits", shots)
        assert "830.00 USD" in page.inner_text("#balances")
        assert page.problems == []
    with observer():
        assert Order.objects.filter(kind=Order.Kind.UPGRADE).count() == 1
        assert Order.objects.filter(kind=Order.Kind.RENEWAL).count() == 1
