"""The reseller space's licence pages (SPEC §3.7): the list with its filters, badges and
what waits, and one licence with its entitlements in words and its history; a distributor
reads what it supplied without any action."""

from __future__ import annotations

import datetime

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import NoReverseMatch, reverse
from django.utils import timezone

from licensing.models import Licence
from licensing.services.activation import activation_activate
from partners import roles
from tests.licensing.factories import PlanFactory, ProductFactory, issue_licence
from tests.licensing.factories_activation import activate_licence
from tests.licensing.test_licence_api import bind
from tests.partners.factories_team import member_of
from tests.routes.harness import supply
from tests.tenancy_support import observer

pytestmark = pytest.mark.django_db


def browser_of(tenant, role: str) -> Client:
    client = Client()
    client.force_login(member_of(tenant, role=role).user)
    return client


def bind_url(licence) -> str | None:
    """The binding page's URL once it exists (another change builds it)."""
    try:
        return reverse("licensing:licence_bind", args=[licence.pk])
    except NoReverseMatch:
        return None


@pytest.mark.parametrize("role", sorted(roles.ALL))
def test_each_role_opens_the_list_and_a_licence(tenants, role):
    licence = issue_licence(tenants.bob.organisation)
    client = browser_of(tenants.bob, role)

    listed = client.get("/space/licences/")
    detail = client.get(f"/space/licences/{licence.pk}/")

    assert listed.status_code == 200
    assert detail.status_code == 200
    assert str(licence.pk) in listed.content.decode()
    # Binding is for the roles that manage licences, when the binding page exists
    url = bind_url(licence)
    html = detail.content.decode()
    assert detail.context["can_bind"] is (role in roles.MANAGE_LICENCES)
    if url:
        assert (f'href="{url}"' in html) is (role in roles.MANAGE_LICENCES)
        assert ("Bind to customer" in html) is (role in roles.MANAGE_LICENCES)


def test_the_list_shows_status_what_waits_and_days_left(tenants):
    # Given an unbound licence ending in 12 days, one awaiting redemption, an active one
    bob = tenants.bob.organisation
    today = timezone.localdate()
    unbound = issue_licence(bob, ends_on=today + datetime.timedelta(days=12), starts_on=today)
    bound = bind(issue_licence(bob), email="it@acme.example", name="Acme Corp")
    active = issue_licence(bob)
    with observer():
        Licence.objects.filter(pk=active.pk).update(
            status=Licence.Status.ACTIVE,
            key_digest="a" * 64,
            customer_email="ops@globex.example",
            customer_name="Globex",
        )
    expired = issue_licence(bob, starts_on=today - datetime.timedelta(days=400))
    with observer():
        Licence.objects.filter(pk=expired.pk).update(
            status=Licence.Status.EXPIRED, customer_email="old@initech.example"
        )

    response = tenants.bob.browser().get("/space/licences/")

    html = response.content.decode()
    rows = {row.licence.pk: row for row in response.context["rows"]}
    assert rows[unbound.pk].state.label == "Not bound"
    assert rows[unbound.pk].state.ends_in == "Ends in 12 days"
    assert rows[unbound.pk].state.ending_soon
    assert rows[bound.pk].state.label == "Awaiting redemption"
    assert rows[active.pk].state.label == "Active"
    assert rows[expired.pk].state.ends_in.startswith("Ended ")
    for text in (
        "Not bound",
        "Awaits binding to a customer",
        "Awaiting redemption",
        "Awaits redemption by the customer",
        "Ends in 12 days",
        "Acme Corp",
        "it@acme.example",
        "Not bound yet",
        "3 hosts",
        "Expired",
    ):
        assert text in html, text
    summary = response.context["summary"]
    assert (summary.awaiting_binding, summary.awaiting_redemption) == (1, 1)
    assert "1 awaits binding" in html
    assert "1 awaits redemption" in html


def test_the_list_filters_and_searches(tenants):
    programme = tenants.bob.organisation.partner_type.programme
    essential = ProductFactory(
        programme=programme,
        code="essential",
        name="Essential",
        unit="flat",
        min_quantity=1,
        max_quantity=3,
    )
    PlanFactory(product=essential)
    pro = issue_licence(tenants.bob.organisation)
    acme = bind(
        issue_licence(tenants.bob.organisation, product=essential, quantity=1),
        email="it@acme.example",
        name="Acme Corp",
    )
    client = tenants.bob.browser()

    def listed(query):
        response = client.get(f"/space/licences/?{query}")
        assert response.status_code == 200
        return {row.licence.pk for row in response.context["rows"]}

    assert listed("status=bound") == {acme.pk}
    assert listed("product=pro") == {pro.pk}
    assert listed("search=acme") == {acme.pk}
    assert listed("customer=it@acme") == {acme.pk}
    assert listed("kind=trial") == set()
    # The product filter offers the programme's products
    page = client.get("/space/licences/").content.decode()
    assert '<option value="essential">Vates VMS Essential</option>' in page
    # A bad filter is a message on the page, not an error
    bad = client.get("/space/licences/?status=lost")
    assert bad.status_code == 200
    assert "Some search options are not valid" in bad.content.decode()
    assert bad.context["rows"] == []
    # Nothing matching says so
    assert (
        "No licence matches this search"
        in client.get("/space/licences/?search=zzz").content.decode()
    )


def test_the_list_pages(tenants):
    for _ in range(27):
        issue_licence(tenants.bob.organisation)
    client = tenants.bob.browser()

    first = client.get("/space/licences/?status=unbound")
    second = client.get("/space/licences/?status=unbound&page=2")

    assert len(first.context["rows"]) == 25
    assert len(second.context["rows"]) == 2
    assert "?status=unbound&amp;page=2" in first.content.decode()


def test_a_new_partner_has_no_licences_yet(tenants):
    html = tenants.charlie.browser().get("/space/licences/").content.decode()
    assert "You have no licences yet" in html


def test_the_detail_page(tenants):
    # Given an Essential licence bound to a customer
    programme = tenants.bob.organisation.partner_type.programme
    essential = ProductFactory(
        programme=programme,
        code="essential",
        name="Essential",
        unit="flat",
        min_quantity=1,
        max_quantity=3,
        support_tickets_per_year=6,
    )
    PlanFactory(product=essential)
    licence = bind(
        issue_licence(tenants.bob.organisation, product=essential, quantity=2),
        email="it@acme.example",
        name="Acme Corp",
        installation="Lyon pool",
    )

    response = tenants.bob.browser().get(f"/space/licences/{licence.pk}/")

    html = response.content.decode()
    for text in (
        "Vates VMS Essential",
        "2 hosts",
        "Awaiting redemption",
        "6 support tickets a year",
        "Business-day support",
        "24 h response time for critical issues",
        "XCP-ng hypervisor licences for all hosts",
        "Acme Corp",
        "it@acme.example",
        "Lyon pool",
        "History",
        "Created",
        "Bound to a customer",
        "Bound to it@acme.example",
        "the link was sent to it@acme.example",
    ):
        assert text in html, text
    assert "Supplied to" not in html


def test_a_distributor_reads_a_supplied_licence_without_actions(tenants):
    supply(tenants.bob, tenants.alice)
    supplied = issue_licence(tenants.bob.organisation, distributor=tenants.alice.organisation)
    direct = issue_licence(tenants.bob.organisation)
    client = tenants.alice.browser()  # alice's administrator

    listed = client.get("/space/licences/")
    detail = client.get(f"/space/licences/{supplied.pk}/")

    list_html = listed.content.decode()
    assert str(supplied.pk) in list_html
    assert str(direct.pk) not in list_html
    assert "Supplied to Bob Resellers" in list_html
    assert "Supplied to resellers" in list_html  # the distributor's tabs
    assert client.get("/space/licences/?scope=supplied").context["rows"][0].licence == supplied
    assert listed.context["summary"].awaiting_binding == 0  # not hers to bind
    assert "Awaits binding" not in list_html
    html = detail.content.decode()
    assert detail.status_code == 200
    assert "Supplied to Bob Resellers." in html
    assert detail.context["can_bind"] is False
    assert "Bind to customer" not in html
    url = bind_url(supplied)
    if url:
        assert url not in html
        assert url not in list_html
    assert client.get(f"/space/licences/{direct.pk}/").status_code == 404


def test_another_partners_licence_is_not_found(tenants):
    licence = issue_licence(tenants.bob.organisation)
    assert tenants.charlie.browser().get(f"/space/licences/{licence.pk}/").status_code == 404


def test_the_detail_lists_the_machines_at_a_constant_cost(tenants):
    # Given a licence activated on one machine
    licence, key = activate_licence(issue_licence(tenants.bob.organisation))
    activation_activate(key=key, fingerprint="machine-0001", hostname="vm-01")
    client = tenants.bob.browser()
    url = f"/space/licences/{licence.pk}/"
    client.get(url)  # warm caches
    with CaptureQueriesContext(connection) as one:
        first = client.get(url)

    # Then the page names it and how many machines are in use
    html = first.content.decode()
    assert "vm-01" in html
    assert "In use" in html
    assert f"1 of {licence.machine_limit} in use" in html

    # And another machine (the licence's limit) costs no more queries
    activation_activate(key=key, fingerprint="machine-0002", hostname="vm-02")
    with CaptureQueriesContext(connection) as two:
        second = client.get(url)
    assert "2 of 2 in use" in second.content.decode()
    assert len(two) == len(one)


def test_only_customer_licences_wait_for_binding(tenants):
    # Given a trial for a prospect and an NFR licence, both unbound
    trial = issue_licence(tenants.bob.organisation, kind="trial", customer_name="Prospect AG")
    nfr = issue_licence(tenants.bob.organisation, kind="nfr")
    client = tenants.bob.browser()

    listed = client.get("/space/licences/")
    detail = client.get(f"/space/licences/{trial.pk}/")

    # Then neither waits for binding, nor offers it
    assert listed.context["summary"].awaiting_binding == 0
    assert {row.licence.pk: row.state.awaiting for row in listed.context["rows"]} == {
        trial.pk: "",
        nfr.pk: "",
    }
    assert "Awaits binding" not in listed.content.decode()
    labels = {row.licence.pk: row.state.label for row in listed.context["rows"]}
    assert labels == {trial.pk: "Running", nfr.pk: "Issued"}
    assert detail.context["can_bind"] is False
    assert "Awaits binding" not in detail.content.decode()
