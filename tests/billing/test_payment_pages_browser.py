"""On the demo data, in a real browser: Northwind pays its invoice by wire (the payment
section: bank details, reference, the proof sent), and the channel team's payment queue
and its "Mark invoice paid" form. Desktop and phone widths, no console errors; screenshots
for people to look at."""

import io

import pytest
from django.core.management import call_command

from billing.demo_payments import seed_payments
from billing.models import IdempotencyKey, Invoice
from portal.tenancy.context import system_context
from tests.billing.payment_support import image_bytes
from tests.browser import browser_page, require_chromium, screenshot
from tests.licensing.test_licence_pages_browser import _log_in, _overflow

pytestmark = pytest.mark.browser


@pytest.fixture
def demo(transactional_db, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.PRIVATE_MEDIA_ROOT = tmp_path / "private"
    call_command("seed_demo", stdout=io.StringIO())
    with system_context("command:seed_demo"):
        seed_payments(io.StringIO())


@pytest.mark.parametrize(("width", "height"), [(1366, 900), (390, 844)])
def test_a_partner_sends_its_proof_and_the_channel_team_reviews_it(
    demo, live_server, tmp_path, width, height
):
    require_chromium()
    base, shots = live_server.url, tmp_path / "shots"
    order = IdempotencyKey.objects.get(key="demo:northwind-kieler-werft").order
    invoice = Invoice.objects.get(order=order)
    proof_file = tmp_path / "virement.png"
    proof_file.write_bytes(image_bytes("PNG", (600, 400)))
    problems = []

    with browser_page(width, height) as page:
        _log_in(page, base, "admin@northwind.example")
        page.goto(f"{base}/space/invoices/{invoice.pk}/")
        assert page.locator("#bank-details").get_by_text(invoice.payment_reference).is_visible()
        page.set_input_files("input[name=file]", str(proof_file))
        page.fill("input[name=note]", "Sent today from our Hamburg account")
        page.get_by_role("button", name="Send the proof").click()
        page.wait_for_url(f"{base}/space/invoices/{invoice.pk}/")
        screenshot(page, f"invoice-payment-{width}", shots)
        assert page.locator("#payment-proofs").get_by_text("virement.png").is_visible()
        assert page.locator("#payment-proofs").get_by_text("Awaiting review").is_visible()
        assert _overflow(page) <= 0
        problems += page.problems

    with browser_page(width, height) as page:
        _log_in(page, base, "staff@vendor.example", landing="/admin/")
        page.goto(f"{base}/admin/")
        assert page.locator("#review-queues").get_by_text("Payment proofs").is_visible()
        page.goto(f"{base}/admin/billing/paymentproof/")
        screenshot(page, f"admin-payment-queue-{width}", shots)
        assert page.get_by_text("virement.png").is_visible()
        page.get_by_role("link", name=invoice.reference).first.click()
        page.get_by_role("link", name="Mark invoice paid").click()
        screenshot(page, f"admin-mark-paid-{width}", shots)
        page.get_by_role("button", name="Mark invoice paid").click()
        page.wait_for_load_state()
        assert page.get_by_text(f"Invoice {invoice.reference} is paid").is_visible()
        problems += page.problems
    assert problems == []
