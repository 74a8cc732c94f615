"""The catalogue as partners read it (SPEC §3.5): GET /api/v1/products and the "Products &
prices" page show the caller's programme's active catalogue, with prices, quantity limits
and entitlements, to every role; never another programme's."""

import pytest
from django.test import Client

from licensing.models import Plan, Product
from licensing.services.catalogue import catalogue_load
from partners import roles
from partners.models import Membership
from partners.services.programme import programme_load
from tests.conftest import Tenant
from tests.factories import MembershipFactory, OrganisationFactory
from tests.routes.harness import token_client

pytestmark = pytest.mark.django_db


def partner_of(programme_code: str, name: str, role=Membership.Role.ADMIN) -> Tenant:
    programme = programme_load(code=programme_code)
    catalogue_load(code=programme_code)
    organisation = OrganisationFactory(name=name, partner_type=programme.types.get(code="reseller"))
    membership = MembershipFactory(organisation=organisation, role=role)
    return Tenant(organisation=organisation, admin=membership.user, membership=membership)


@pytest.fixture
def vates_partner():
    return partner_of("vates", "Vates Reseller GmbH")


ESSENTIAL = {
    "support_tickets_per_year": 6,
    "support_hours": "business_day",
    "critical_response_hours": 24,
    "hypervisor_licences_all_hosts": True,
    "management_appliances": 1,
    "complete_feature_access": False,
    "setup_assistance": False,
}


def test_the_vates_catalogue_through_the_api(vates_partner):
    response = vates_partner.api().get("/api/v1/products")

    assert response.status_code == 200, response.content
    body = response.json()
    assert body["count"] == 4
    products = {p["code"]: p for p in body["results"]}
    assert list(products) == ["essential", "essential-plus", "pro", "enterprise"]
    table = {
        code: (
            p["name"],
            p["family"],
            p["unit"],
            p["min_quantity"],
            p["max_quantity"],
            p["quantity_limits"],
            [(plan["billing_period"], plan["currency"], plan["price"]) for plan in p["plans"]],
        )
        for code, p in products.items()
    }
    assert table == {
        "essential": (
            "Essential",
            "Vates VMS",
            "flat",
            1,
            3,
            "up to 3 hosts",
            [("yearly", "USD", "2000.00")],
        ),
        "essential-plus": (
            "Essential+",
            "Vates VMS",
            "flat",
            1,
            3,
            "up to 3 hosts",
            [("yearly", "USD", "4000.00")],
        ),
        "pro": (
            "Pro",
            "Vates VMS",
            "per_host",
            3,
            None,
            "from 3 hosts",
            [("yearly", "USD", "1000.00")],
        ),
        "enterprise": (
            "Enterprise",
            "Vates VMS",
            "per_host",
            4,
            None,
            "from 4 hosts",
            [("yearly", "EUR", "1800.00")],
        ),
    }
    assert [p["plans"][0]["price_text"] for p in products.values()] == [
        "$2,000 a year",
        "$4,000 a year",
        "$1,000 per host a year",
        "€1,800 per host a year",
    ]
    # The entitlements, structured and in words
    assert products["essential"]["entitlements"] == ESSENTIAL
    assert products["enterprise"]["entitlements"] == {
        **ESSENTIAL,
        "support_tickets_per_year": None,
        "support_hours": "24x7",
        "critical_response_hours": 1,
        "complete_feature_access": True,
        "setup_assistance": True,
    }
    assert products["essential-plus"]["entitlements"]["complete_feature_access"] is True
    assert products["pro"]["entitlements"]["complete_feature_access"] is False
    assert products["essential"]["entitlement_lines"] == [
        "6 support tickets a year",
        "Business-day support",
        "24 h response time for critical issues",
        "XCP-ng hypervisor licences for all hosts",
        "1 management appliance",
    ]
    assert products["enterprise"]["entitlement_lines"] == [
        "Unlimited support tickets",
        "24/7 support",
        "1 h response time for critical issues",
        "XCP-ng hypervisor licences for all hosts",
        "1 management appliance",
        "Complete feature access",
        "Setup and upgrade assistance",
    ]


def test_withdrawn_products_and_plans_are_not_offered(vates_partner):
    Product.objects.filter(code="essential-plus").update(is_active=False)
    Plan.objects.filter(product__code="pro").update(is_active=False)

    body = vates_partner.api().get("/api/v1/products").json()

    codes = [p["code"] for p in body["results"]]
    assert codes == ["essential", "pro", "enterprise"]
    assert body["results"][1]["plans"] == []


def test_a_partner_of_another_programme_sees_its_own_catalogue_only(vates_partner):
    xo = partner_of("xen-orchestra", "XO Reseller SARL")

    body = xo.api().get("/api/v1/products").json()
    page = xo.browser().get("/space/catalogue/").content.decode()

    assert [p["code"] for p in body["results"]] == ["xoa-starter", "xoa-enterprise", "xoa-premium"]
    assert body["results"][0]["plans"][0]["price_text"] == "$150 a month"
    assert "Vates VMS" not in str(body)
    assert "Vates VMS" not in page
    assert "Xen Orchestra" in page


@pytest.mark.parametrize("role", sorted(roles.ALL))
def test_every_role_reads_the_catalogue(vates_partner, role):
    member = MembershipFactory(organisation=vates_partner.organisation, role=role)

    api = token_client(member.user).get("/api/v1/products")
    browser = Client()
    browser.force_login(member.user)
    page = browser.get("/space/catalogue/")

    assert api.status_code == 200
    assert api.json()["count"] == 4
    assert page.status_code == 200


def test_the_products_and_prices_page(vates_partner):
    response = vates_partner.browser().get("/space/catalogue/")

    assert response.status_code == 200
    html = response.content.decode()
    assert "Products &amp; prices" in html
    for text in (
        "Essential+",
        "$2,000 a year",
        "$4,000 a year",
        "$1,000 per host a year",
        "€1,800 per host a year",
        "up to 3 hosts",
        "from 3 hosts",
        "from 4 hosts",
        "6 support tickets a year",
        "Unlimited support tickets",
        "Business-day support",
        "24/7 support",
        "1 h response time for critical issues",
        "XCP-ng hypervisor licences for all hosts",
        "1 management appliance",
        "Complete feature access",
        "Setup and upgrade assistance",
    ):
        assert text in html, text
    # The navigation leads there, under "Sell"
    assert 'href="/space/catalogue/"' in html


def test_an_empty_catalogue_says_so(db):
    tenant = partner_of("vates", "Early Partner BV")
    Product.objects.update(is_active=False)

    html = tenant.browser().get("/space/catalogue/").content.decode()
    body = tenant.api().get("/api/v1/products").json()

    assert "has no products on sale yet" in html
    assert body["count"] == 0
