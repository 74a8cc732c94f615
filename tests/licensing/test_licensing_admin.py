"""The channel team's licensing admin: the catalogue is programme data, edited with an
audit trail and never changing what was sold; licences are read-only, issued only through
``licence_issue`` by staff holding ``licensing.manage_licences``."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.contrib.auth.models import Group
from django.test import Client

from licensing.models import Licence, LicenceEvent, Plan, Product
from licensing.services.catalogue import catalogue_load
from partners.services.programme import programme_load
from portal.models import AuditEvent
from portal.staff_groups import CHANNEL_FINANCE, CHANNEL_REVIEWER, PROGRAMME_MANAGER
from tests.admin_forms import admin_form, post_admin_form
from tests.factories import OrganisationFactory, UserFactory, staff_user
from tests.licensing.factories import issue_licence
from tests.tenancy_support import observer

pytestmark = pytest.mark.django_db


def browser(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def superuser() -> Client:
    return browser(UserFactory(is_staff=True, is_superuser=True))


def in_group(name: str) -> Client:
    user = UserFactory(is_staff=True)
    user.groups.add(Group.objects.get(name=name))
    return browser(user)


@pytest.fixture
def vates():
    programme = programme_load(code="vates")
    catalogue_load(code="vates")
    return programme


@pytest.fixture
def reseller(vates):
    return OrganisationFactory(
        name="Fjord Systems AS", partner_type=vates.types.get(code="reseller")
    )


def product_url(code: str) -> str:
    return f"/admin/licensing/product/{Product.objects.get(code=code).pk}/change/"


# --- the catalogue --------------------------------------------------------------------------


def test_the_product_list_reads_prices_and_limits_in_words(vates):
    response = superuser().get("/admin/licensing/product/?programme__id__exact=" + str(vates.pk))

    html = response.content.decode()
    assert response.status_code == 200
    for text in ("Vates VMS Enterprise", "€1,800 per host a year", "from 4 hosts", "up to 3 hosts"):
        assert text in html, text
    # Filters and search as the brief says
    assert superuser().get("/admin/licensing/product/?q=enterprise").status_code == 200
    assert (
        superuser().get("/admin/licensing/product/?unit__exact=flat&is_active__exact=1").status_code
        == 200
    )


def test_a_price_change_is_audited_and_leaves_licences_as_sold(vates, reseller):
    # Given a Pro licence sold at $1,000 per host
    pro = Product.objects.get(code="pro")
    licence = issue_licence(reseller, product=pro, quantity=3, plan=pro.plans.get())
    manager = in_group(PROGRAMME_MANAGER)
    url = product_url("pro")

    # When the programme manager raises the price and changes the support hours
    response = post_admin_form(
        manager, url, "product_form", **{"plans-0-price": "1100.00", "support_hours": "24x7"}
    )

    # Then the catalogue has the new values, recorded in the audit trail
    assert response.status_code == 302, response.content.decode()[:2000]
    assert Plan.objects.get(product=pro).price == Decimal("1100.00")
    assert Product.objects.get(code="pro").support_hours == "24x7"
    actions = set(AuditEvent.objects.values_list("action", flat=True))
    assert {"product.changed", "plan.changed"} <= actions
    plan_event = AuditEvent.objects.get(action="plan.changed")
    assert (plan_event.before, plan_event.after) == ({"price": "1000.00"}, {"price": "1100.00"}), (
        plan_event.before,
        plan_event.after,
    )
    # And the licence keeps what it was sold with
    with observer():
        licence.refresh_from_db()
    assert licence.entitlements["support_hours"] == "business_day"
    assert licence.product_name == "Vates VMS Pro"


def test_the_product_page_shows_its_entitlements_as_partners_read_them(vates):
    html = superuser().get(product_url("enterprise")).content.decode()
    assert "24/7 support" in html
    assert "Setup and upgrade assistance" in html
    assert superuser().get("/admin/licensing/product/add/").status_code == 200


def test_the_code_and_programme_are_fixed_and_products_are_never_deleted(vates):
    form = admin_form(superuser(), product_url("pro"), "product_form")
    assert "code" not in form
    assert "programme" not in form
    pro = Product.objects.get(code="pro")
    assert superuser().post(f"/admin/licensing/product/{pro.pk}/delete/").status_code == 403
    assert Product.objects.filter(code="pro").exists()


def test_a_product_whose_maximum_is_below_its_minimum_is_refused(vates):
    response = post_admin_form(superuser(), product_url("pro"), "product_form", max_quantity="2")
    assert response.status_code == 200
    assert Product.objects.get(code="pro").max_quantity is None


def test_who_may_edit_the_catalogue(vates):
    url = product_url("essential")
    for group in (CHANNEL_REVIEWER, CHANNEL_FINANCE):
        client = in_group(group)
        assert client.get(url).status_code == 200  # read
        response = client.post(url, {"name": "Cheap"})
        assert response.status_code == 403, group
    assert Product.objects.get(code="essential").name == "Essential"
    assert browser(staff_user()).get(url).status_code == 403


# --- licences ------------------------------------------------------------------------------


def test_a_licence_is_read_only_with_its_history(vates, reseller):
    licence = issue_licence(reseller, product=Product.objects.get(code="essential"), quantity=2)
    client = in_group(PROGRAMME_MANAGER)
    url = f"/admin/licensing/licence/{licence.pk}/change/"

    response = client.get(url)

    html = response.content.decode()
    assert response.status_code == 200
    assert 'name="_save"' not in html  # nothing to save
    assert "6 support tickets a year" in html
    assert "Customer licence issued" in html  # the history inline
    assert "key_digest" not in html
    before = list(Licence.objects.values_list())
    assert client.post(url, {"quantity": "3"}).status_code == 403
    assert client.post(f"/admin/licensing/licence/{licence.pk}/delete/").status_code == 403
    assert list(Licence.objects.values_list()) == before


def test_the_licence_list_filters_and_searches(vates, reseller):
    issue_licence(reseller, product=Product.objects.get(code="pro"), quantity=3)
    client = in_group(CHANNEL_FINANCE)
    for query in (
        "",
        "?status__exact=unbound",
        "?kind__exact=customer",
        f"?product__programme__id__exact={vates.pk}",
        "?q=fjord",
        "?created_at__year=2026",
    ):
        response = client.get(f"/admin/licensing/licence/{query}")
        assert response.status_code == 200, query
    assert "Fjord Systems AS" in client.get("/admin/licensing/licence/?q=fjord").content.decode()
    events = client.get("/admin/licensing/licenceevent/?kind__exact=created")
    assert events.status_code == 200
    assert "Customer licence issued" in events.content.decode()


def test_issuing_a_licence_in_the_admin_goes_through_the_service(vates, reseller):
    # Given the programme manager on the issue form
    client = in_group(PROGRAMME_MANAGER)
    form = client.get("/admin/licensing/licence/add/")
    assert form.status_code == 200
    assert "Issue a licence" in form.content.decode()
    enterprise = Product.objects.get(code="enterprise")

    # When they issue an Enterprise licence for 5 hosts
    response = client.post(
        "/admin/licensing/licence/add/",
        {
            "organisation": str(reseller.pk),
            "product": str(enterprise.pk),
            "plan": str(enterprise.plans.get().pk),
            "kind": "customer",
            "quantity": "5",
            "source": "Ticket 4711",
        },
    )

    # Then the service issued it, with its history and audit record
    licence = Licence.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/admin/licensing/licence/{licence.pk}/change/"
    assert (licence.organisation, licence.product_code, licence.quantity) == (
        reseller,
        "enterprise",
        5,
    )
    assert licence.issued_by is not None
    assert licence.issued_by.is_staff
    assert licence.entitlements["setup_assistance"] is True
    assert list(licence.events.values_list("kind", flat=True)) == [LicenceEvent.Kind.CREATED]
    assert AuditEvent.objects.filter(action="licence.created", object_id=str(licence.pk)).exists()


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"quantity": "3"}, "quantity", "needs at least 4 hosts"),
        ({"plan": ""}, "plan", "names the plan it was sold at"),
    ],
)
def test_a_licence_the_service_refuses_is_a_form_error(vates, reseller, changes, field, message):
    enterprise = Product.objects.get(code="enterprise")
    data = {
        "organisation": str(reseller.pk),
        "product": str(enterprise.pk),
        "plan": str(enterprise.plans.get().pk),
        "kind": "customer",
        "quantity": "5",
        **changes,
    }

    response = superuser().post("/admin/licensing/licence/add/", data)

    assert response.status_code == 200
    assert message in str(response.context["form"].errors[field])
    assert not Licence.objects.exists()


def test_issuing_needs_the_permission(vates, reseller):
    enterprise = Product.objects.get(code="enterprise")
    for client in (in_group(CHANNEL_REVIEWER), in_group(CHANNEL_FINANCE), browser(staff_user())):
        assert client.get("/admin/licensing/licence/add/").status_code == 403
        response = client.post(
            "/admin/licensing/licence/add/",
            {"organisation": str(reseller.pk), "product": str(enterprise.pk), "quantity": "5"},
        )
        assert response.status_code == 403
    assert not Licence.objects.exists()
    # The add button shows only to those who may
    assert (
        "Issue" not in in_group(CHANNEL_FINANCE).get("/admin/licensing/licence/").content.decode()
    )


def test_the_programme_manager_holds_the_licensing_permissions():
    manager = UserFactory(is_staff=True)
    manager.groups.add(Group.objects.get(name=PROGRAMME_MANAGER))
    assert manager.has_perm("licensing.manage_licences")
    assert manager.has_perm("licensing.change_product")
    assert manager.has_perm("licensing.change_plan")
    assert not manager.has_perm("licensing.delete_product")
    assert not manager.has_perm("licensing.change_licence")
    finance = UserFactory(is_staff=True)
    finance.groups.add(Group.objects.get(name=CHANNEL_FINANCE))
    assert finance.has_perm("licensing.view_licence")
    assert not finance.has_perm("licensing.manage_licences")


def test_the_admin_home_shows_the_catalogue_apart(vates):
    html = superuser().get("/admin/").content.decode()
    assert "Catalogue" in html
    assert 'href="/admin/licensing/product/"' in html
    assert 'href="/admin/licensing/licence/"' in html
