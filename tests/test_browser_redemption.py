"""The end customer's redemption in a real browser: the partner binds a licence, the
customer opens the emailed link, fills the form, accepts the terms and sees the key."""

import re

import pytest
from django.core import mail

from licensing.keys import key_digest
from licensing.models import Licence
from tests.browser import browser_page, require_chromium, screenshot
from tests.licensing.factories import issue_licence

pytestmark = pytest.mark.browser

LINK = re.compile(r"https?://[^/\s]+(/licence/redeem/[^/\s]+/)")
EXPECTED_STATUS = re.compile(r"status of (400|410) ")
KEY = re.compile(r"[0-9A-HJKMNP-TV-Z]{5}(?:-[0-9A-HJKMNP-TV-Z]{5}){4}")


def test_the_customer_redeems_a_licence_through_the_emailed_link(
    tenants_committed, live_server, tmp_path
):
    require_chromium()
    base = live_server.url
    shots = tmp_path / "shots"

    # Given bob bound a licence to its customer, who got the link by email
    bob = tenants_committed.bob
    licence = issue_licence(bob.organisation)
    response = bob.api().post(
        f"/api/v1/licences/{licence.pk}/bind", {"email": "it@customer.example"}, format="json"
    )
    assert response.status_code == 200, response.content
    link = LINK.search(mail.outbox[-1].body).group(1)
    mail.outbox.clear()

    # When the customer opens it, fills the form and accepts the terms
    with browser_page() as page:
        page.goto(base + link)
        assert page.get_by_role("heading", name="Vates VMS Pro").is_visible()
        assert page.get_by_text("24 h response time for critical issues").is_visible()
        screenshot(page, "1-redeem", shots)
        page.get_by_role("button", name="Accept and get my licence key").click()
        page.wait_for_load_state()
        refused = page.get_by_text("Please read and accept the resale terms").is_visible()
        page.fill("input[name=organisation_name]", "Customer Industries SA")
        page.select_option("select[name=country]", "FR")
        page.fill("input[name=installation_name]", "Production cluster, Lyon")
        page.get_by_label("I have read and accept the resale terms above.").check()
        page.get_by_role("button", name="Accept and get my licence key").click()
        page.wait_for_load_state()
        screenshot(page, "2-key", shots)
        heading = page.get_by_role("heading", name="Your licence key").is_visible()
        shown = page.locator("[data-licence-key]").inner_text().strip()
        page.goto(base + link)
        spent = page.get_by_role("heading", name="This link no longer works").is_visible()
        # The refused form (400) and the spent link (410) are answers, not page errors.
        problems = [p for p in page.problems if not EXPECTED_STATUS.search(p)]

    # Then the key was shown once, is the licence's, and came by email too
    assert refused
    assert heading
    assert KEY.fullmatch(shown), shown
    assert spent
    assert problems == []
    licence.refresh_from_db()
    assert licence.status == Licence.Status.ACTIVE
    assert licence.key_digest == key_digest(shown)
    assert licence.customer_name == "Customer Industries SA"
    key_mail = next(m for m in mail.outbox if m.to == ["it@customer.example"])
    assert shown in key_mail.body
