"""The channel team's billing settings: VAT rates changed through the service by staff
holding billing.change_taxrate (the Channel finance group), audited; billing accounts and
resale discounts read-only."""

from __future__ import annotations

from decimal import Decimal

from django.contrib.auth.models import Group
from django.test import Client

from billing.models import TaxRate
from portal.models import AuditEvent
from portal.staff_groups import CHANNEL_FINANCE, PROGRAMME_MANAGER
from tests.billing.test_pricing_rules import DE_VAT, ok
from tests.factories import staff_user
from tests.tenancy_support import observer


def _staff_in(group_name: str) -> Client:
    user = staff_user()
    user.groups.add(Group.objects.get(name=group_name))
    client = Client()
    client.force_login(user)
    return client


def _france():
    with observer():
        return TaxRate.objects.get(country="FR")


def test_finance_changes_a_rate_through_the_service_and_the_next_preview_uses_it(partner):
    reseller = partner("reseller", tier=1, country="FR")
    client = _staff_in(CHANNEL_FINANCE)
    url = f"/admin/billing/taxrate/{_france().pk}/change/"
    response = client.post(url, {"rate": "19.60"})
    assert response.status_code == 302, response.content[:500]
    assert _france().rate == Decimal("19.60")
    with observer():
        event = AuditEvent.objects.get(action="tax_rate.set")
    assert (event.before["rate"], event.after["rate"]) == ("20.00", "19.60")
    assert ok(reseller, product="pro", quantity=3)["tax"] == "529.20"  # 19.6 % of 2,700


def test_a_rate_above_a_hundred_is_refused_beside_the_field(vates):
    client = _staff_in(CHANNEL_FINANCE)
    response = client.post(f"/admin/billing/taxrate/{_france().pk}/change/", {"rate": "120"})
    assert response.status_code == 200
    assert _france().rate == Decimal("20.00")


def test_a_programme_manager_reads_the_rates_but_cannot_change_them(vates):
    client = _staff_in(PROGRAMME_MANAGER)
    assert client.get("/admin/billing/taxrate/").status_code == 200
    url = f"/admin/billing/taxrate/{_france().pk}/change/"
    client.post(url, {"rate": "5"})
    assert _france().rate == Decimal("20.00")


def test_accounts_and_discounts_are_read_only_and_searchable(partner):
    partner("distributor", tier=2, country="DE", vat_number=DE_VAT, name="Northwind")
    client = _staff_in(CHANNEL_FINANCE)
    listed = client.get("/admin/billing/billingaccount/", {"q": "DE136695976"})
    assert listed.status_code == 200
    assert "Northwind" in listed.content.decode()
    assert client.get("/admin/billing/billingaccount/add/").status_code == 403
    assert client.get("/admin/billing/resellerdiscount/").status_code == 200
    assert client.get("/admin/billing/resellerdiscount/add/").status_code == 403
