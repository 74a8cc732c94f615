"""The reseller space's quote pages: the list, the new quote form (Preview, then Create),
a quote's page (every step of its price, PDF status, actions) and the downloads; and the
whole flow in a real browser, screenshotted."""

from __future__ import annotations

import re

import pytest
from django.core import mail

from billing.models import Order, Quote
from billing.services.quote_pdfs import quote_render_documents
from portal.tenancy.context import tenant_context
from tests.billing.quote_support import FR_VAT, make_quote, private_media  # noqa: F401
from tests.browser import browser_page, require_chromium, screenshot
from tests.factories import MembershipFactory
from tests.tenancy_support import observer

pytestmark = pytest.mark.usefixtures("private_media")

FORM = {
    "customer_name": "Acme Hospital",
    "customer_country": "DE",
    "customer_email": "it@acme-hospital.example",
    "billing_period": "yearly",
    "product_0": "pro",
    "quantity_0": "3",
    "product_1": "essential",
    "quantity_1": "2",
}
REFRESH = '<meta http-equiv="refresh"'


def _count() -> int:
    with observer():
        return Quote.objects.count()


def test_preview_prices_every_line_and_writes_nothing(partner):
    reseller = partner("reseller", tier=1, country="FR", vat_number=FR_VAT)
    response = reseller.browser().post("/space/quotes/new/", {**FORM, "action": "preview"})
    assert response.status_code == 200
    html = response.content.decode()
    assert "Preview" in html
    assert "2,700.00" in html  # Pro x 3 at 10 %
    assert "Essential" in html
    assert _count() == 0


def test_create_makes_the_quote_and_its_page_reloads_until_the_pdfs_are_ready(partner):
    reseller = partner("reseller", tier=1, country="FR", vat_number=FR_VAT)
    browser = reseller.browser()
    response = browser.post("/space/quotes/new/", {**FORM, "action": "create"})
    assert response.status_code == 302
    with observer():
        quote = Quote.objects.get()
    assert response["Location"] == f"/space/quotes/{quote.pk}/"
    assert quote.lines.count() == 2

    page = browser.get(response["Location"]).content.decode()
    assert REFRESH in page
    assert "Generating the PDFs" in page
    assert "<script" not in page.split("</head>")[0].split(REFRESH)[1][:200]

    with tenant_context(reseller.organisation.pk):
        quote_render_documents(quote_id=quote.pk)
    page = browser.get(response["Location"]).content.decode()
    assert REFRESH not in page
    download = browser.get(f"/space/quotes/{quote.pk}/customer-pdf.pdf")
    assert download.status_code == 200
    assert "attachment" in download["Content-Disposition"]
    assert browser.get(f"/space/quotes/{quote.pk}/other.pdf").status_code == 404


def test_form_errors_are_shown_beside_their_fields(partner):
    reseller = partner("reseller")
    bad = {**FORM, "customer_email": "nope", "quantity_0": "", "action": "create"}
    response = reseller.browser().post("/space/quotes/new/", bad)
    assert response.status_code == 400
    assert "is-invalid" in response.content.decode()
    minimum = {**FORM, "product_0": "enterprise", "quantity_0": "1", "action": "create"}
    response = reseller.browser().post("/space/quotes/new/", minimum)
    assert response.status_code == 400
    assert _count() == 0


def test_send_and_convert_from_the_page(partner, django_capture_on_commit_callbacks):
    reseller = partner("reseller")
    quote = make_quote(reseller)
    browser = reseller.browser()
    url = f"/space/quotes/{quote.pk}/"
    with django_capture_on_commit_callbacks(execute=True):
        assert browser.post(url, {"action": "send"}).status_code == 302
    assert [m.to for m in mail.outbox if "signature" in m.subject] == [[quote.customer_email]]
    response = browser.post(url, {"action": "convert"})
    assert response.status_code == 302
    with observer():
        order = Order.objects.get(quote=quote)
    assert response["Location"] == f"/space/orders/{order.pk}/"
    page = browser.get(url).content.decode()
    assert order.reference in page
    assert "Order at the quoted prices" not in page


def test_a_technical_member_reads_without_the_actions(partner):
    reseller = partner("reseller")
    quote = make_quote(reseller)
    technical = MembershipFactory(organisation=reseller.organisation, role="technical")
    reseller.admin = technical.user
    browser = reseller.browser()
    page = browser.get(f"/space/quotes/{quote.pk}/").content.decode()
    assert quote.reference in page
    assert 'value="convert"' not in page
    assert browser.post(f"/space/quotes/{quote.pk}/", {"action": "cancel"}).status_code == 403
    assert browser.get("/space/quotes/new/").status_code == 403


LINK = re.compile(r"https?://[^/\s]+(/quote/[^/\s]+/)")


@pytest.mark.browser
def test_the_quote_flow_in_a_browser(partner, live_server, tmp_path):
    """Screenshots (kept in SCREENSHOT_DIR when set): the form with its preview, the quote
    while its PDFs render, the list, the customer's page and its signed state."""
    require_chromium()
    reseller = partner("reseller", tier=1, country="FR", vat_number=FR_VAT)
    base = live_server.url
    shots = tmp_path / "shots"
    with browser_page() as page:
        page.goto(f"{base}/space/quotes/new/")
        page.fill("input[name=login]", reseller.admin.email)
        page.fill("input[name=password]", "correct-horse-battery-staple")
        page.locator("form [type=submit]").last.click()
        page.wait_for_url(f"{base}/space/quotes/new/")
        page.fill("input[name=customer_name]", "Acme Hospital")
        page.select_option("select[name=customer_country]", "DE")
        page.fill("input[name=customer_email]", "it@acme-hospital.example")
        page.select_option("select[name=product_0]", "pro")
        page.fill("input[name=quantity_0]", "3")
        page.get_by_role("button", name="Preview").click()
        page.wait_for_load_state()
        screenshot(page, "1-new-quote-preview", shots)
        previewed = "2,700.00" in page.content()
        page.get_by_role("button", name="Create the quote").click()
        page.wait_for_load_state()
        detail_url = page.url
        screenshot(page, "2-quote-detail", shots)
        page.get_by_role("button", name="Send to the customer to sign").click()
        page.wait_for_load_state()
        page.goto(f"{base}/space/quotes/")
        screenshot(page, "3-quote-list", shots)
        problems = list(page.problems)
    link = LINK.search(next(m for m in mail.outbox if "signature" in m.subject).body).group(1)
    with browser_page() as page:
        page.goto(base + link)
        screenshot(page, "4-customer-page", shots)
        page.fill("input[name=name]", "Jo Buyer")
        page.get_by_label("I accept this quote on behalf of the customer named above").check()
        page.get_by_role("button", name="Sign the quote").click()
        page.wait_for_load_state()
        screenshot(page, "5-customer-signed", shots)
        signed = "the quote is signed" in page.content()
        problems += list(page.problems)
    assert previewed
    assert "/space/quotes/" in detail_url
    assert signed
    assert problems == []


def test_the_admin_shows_quotes_read_only_without_the_links_secret(partner):
    from django.test import Client

    from billing.services.quotes import quote_send_to_customer
    from tests.factories import UserFactory

    reseller = partner("reseller")
    quote = make_quote(reseller)
    with tenant_context(reseller.organisation.pk):
        quote = quote_send_to_customer(quote=quote, actor=reseller.admin, role="admin")
    staff = Client()
    staff.force_login(UserFactory(email="channel@vendor.example", is_staff=True, is_superuser=True))
    listing = staff.get("/admin/billing/quote/", {"q": quote.reference})
    assert listing.status_code == 200
    assert quote.reference in listing.content.decode()
    page = staff.get(f"/admin/billing/quote/{quote.pk}/change/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "Pro" in html  # the line, inline
    assert str(quote.signature_token) not in html
    assert 'name="_save"' not in html
    assert staff.get("/admin/billing/quote/add/").status_code == 403
