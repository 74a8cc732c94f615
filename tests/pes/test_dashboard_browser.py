"""The status dashboard in a real browser: both charts drawn by the vendored Chart.js
from the page's JSON data, under the site's Content-Security-Policy with no violation;
at desktop and phone width (screenshots kept with SCREENSHOT_DIR)."""

import datetime

import pytest
from django.utils import timezone

from tests.billing.payment_support import issued_invoice
from tests.browser import browser_page, require_chromium, screenshot
from tests.factories import PASSWORD
from tests.pes.dashboard_support import demanding, sale

pytestmark = pytest.mark.browser

#: Records every CSP violation before any page script runs (an init script is not the
#: page's own, so the policy does not apply to it).
CSP_PROBE = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", function (e) {
  window.__cspViolations.push(e.violatedDirective + " " + e.blockedURI);
});
"""

CHARTS = """() => ['pes-gross-chart', 'pes-mix-chart'].map(function (id) {
  var canvas = document.getElementById(id);
  var chart = canvas && window.Chart && window.Chart.getChart(canvas);
  var drawn = 0;
  if (canvas) {
    var pixels = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height).data;
    for (var i = 3; i < pixels.length; i += 4) { if (pixels[i] > 0) { drawn++; } }
  }
  return {id: id, width: canvas ? canvas.width : 0, height: canvas ? canvas.height : 0,
          chart: !!chart, type: chart ? chart.config.type : null, drawn: drawn};
})"""


@pytest.fixture
def partner(tenants_committed, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.PRIVATE_MEDIA_ROOT = tmp_path / "private"
    tenant = tenants_committed.alice
    organisation = tenant.organisation
    demanding(organisation.tier)
    today = timezone.localdate()
    for days in (10, 100, 200, 300):
        issued_invoice(organisation, issued_on=today - datetime.timedelta(days=days))
    sale(organisation, engagement_model="partner_owned")
    sale(organisation, engagement_model="co_led_partner")
    return tenant


@pytest.mark.parametrize("width", [1366, 390])
def test_the_dashboards_charts_render_under_the_csp(partner, live_server, tmp_path, width):
    require_chromium()
    base = live_server.url

    with browser_page(width, 900) as page:
        page.add_init_script(CSP_PROBE)
        # Given the partner's administrator, logged in
        page.goto(f"{base}/accounts/login/?next=/space/")
        page.fill("input[name=login]", partner.admin.email)
        page.fill("input[name=password]", PASSWORD)
        page.locator("form [type=submit]").last.click()
        page.wait_for_url(f"{base}/space/")

        # When the dashboard is loaded, under the site's policy
        response = page.reload()
        policy = response.headers.get("content-security-policy", "")
        assert "script-src 'self'" in policy
        assert "unsafe-inline" not in policy
        assert "unsafe-eval" not in policy
        # and the charts had time to draw
        page.wait_for_function(
            "() => window.Chart && document.querySelectorAll('canvas').length === 2"
            " && Array.from(document.querySelectorAll('canvas'))"
            ".every(c => window.Chart.getChart(c))"
        )
        page.wait_for_timeout(600)  # the animation's 400 ms
        charts = page.evaluate(CHARTS)
        screenshot(page, f"dashboard-{width}", tmp_path / "shots")

        # Then both charts exist, have a size and drew pixels
        assert [(c["id"], c["type"], c["chart"]) for c in charts] == [
            ("pes-gross-chart", "bar", True),
            ("pes-mix-chart", "doughnut", True),
        ]
        for chart in charts:
            assert chart["width"] > 100, chart
            assert chart["height"] > 100, chart
            assert chart["drawn"] > 500, chart
        # And the page fits the screen (no sideways scrolling on a phone)
        assert page.evaluate("document.documentElement.scrollWidth") <= width
        # And nothing was refused by the CSP or failed in the console
        assert page.evaluate("window.__cspViolations") == []
        assert page.problems == []
