"""A partner's administrators see their organisation's activity (SPEC §3.13): on a page of
the reseller space and at GET /api/v1/activity, newest first, paginated, theirs only."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from partners.models import Membership
from portal.audit.services import audit_record
from portal.tenancy.context import system_context
from tests.factories import UserFactory
from tests.partners.factories_team import member_of
from tests.tenancy_support import observer

pytestmark = pytest.mark.django_db


def _event(tenant, summary: str, *, actor=None, label: str | None = None):
    with system_context(label) if label else observer():
        return audit_record(
            actor=actor,
            action="test.changed",
            obj=tenant.organisation,
            organisation=tenant.organisation,
            summary=summary,
        )


def _browser(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_a_change_in_the_team_appears_in_the_admins_activity(tenants):
    alice = tenants.alice
    member = member_of(alice, role="sales")
    browser = alice.browser()
    browser.post(
        "/space/team/", {"action": "change_role", "membership": member.pk, "role": "finance"}
    )

    page = browser.get("/space/activity/")
    assert page.status_code == 200
    assert "role changed from Sales to Finance" in page.content.decode()

    body = alice.api().get("/api/v1/activity").json()
    (item,) = body["results"]
    assert item["action"] == "membership.role_changed"
    assert item["actor"] == alice.admin.get_full_name()
    name = f"{member.user.email} (Finance)"  # as it was named then
    assert item["object"] == {"type": "membership", "id": str(member.pk), "name": name}
    assert item["summary"].endswith("role changed from Sales to Finance")
    assert item["at"]
    assert set(item) == {"at", "actor", "action", "object", "summary"}


def test_the_feed_is_newest_first_paginated_and_the_tenants_own(tenants):
    alice = tenants.alice
    for n in range(30):
        _event(alice, f"alice change {n}")
    _event(tenants.bob, "bob's change")

    api = alice.api()
    first = api.get("/api/v1/activity").json()
    assert first["count"] == 30
    assert [i["summary"] for i in first["results"][:2]] == ["alice change 29", "alice change 28"]
    assert len(first["results"]) == 25
    second = api.get(first["next"]).json()
    assert [i["summary"] for i in second["results"]][-1] == "alice change 0"
    assert all("bob" not in i["summary"] for i in first["results"] + second["results"])

    page = alice.browser().get("/space/activity/", {"page": 2})
    assert "alice change 0" in page.content.decode()
    assert "alice change 29" not in page.content.decode()


def test_who_acted_is_told_without_naming_the_vendors_people(tenants):
    alice = tenants.alice
    staff = UserFactory(is_staff=True, email="reviewer@vendor.example")
    _event(alice, "by a job", label="command:load_programme")
    _event(alice, "by the channel team", actor=staff)
    _event(alice, "by a member", actor=alice.admin)

    items = alice.api().get("/api/v1/activity").json()["results"]
    assert [(i["summary"], i["actor"]) for i in items] == [
        ("by a member", alice.admin.get_full_name()),
        ("by the channel team", "Channel team"),
        ("by a job", "System"),
    ]
    assert b"reviewer@vendor.example" not in alice.browser().get("/space/activity/").content


def test_only_administrators_see_the_activity(tenants):
    alice = tenants.alice
    _event(alice, "a change")
    admin_page = alice.browser().get("/space/")
    assert b'href="/space/activity/"' in admin_page.content

    for role in (r for r in Membership.Role.values if r != "admin"):
        member = member_of(alice, role=role)
        browser = _browser(member.user)
        assert browser.get("/space/activity/").status_code == 403, role
        assert b'href="/space/activity/"' not in browser.get("/space/").content
        api = Client()
        api.force_login(member.user)
        response = api.get("/api/v1/activity")
        assert response.status_code == 403, role
        assert b"a change" not in response.content


def _queries(client, url: str) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries)


@pytest.mark.parametrize("url", ["/api/v1/activity", "/space/activity/"])
def test_the_query_count_does_not_grow_with_the_events(tenants, url):
    alice = tenants.alice
    members = [member_of(alice, role="sales") for _ in range(3)]
    staff = UserFactory(is_staff=True)
    client = alice.api() if url.startswith("/api/") else alice.browser()

    def add(n: int) -> None:
        for i in range(n):  # different actors and objects, so nothing is cached by chance
            member = members[i % 3]
            with observer():
                audit_record(
                    actor=[alice.admin, staff, None][i % 3],
                    action="membership.role_changed",
                    obj=member,
                    organisation=alice.organisation,
                    summary=f"change {i}",
                )

    add(3)
    few = _queries(client, url)
    add(27)
    many = _queries(client, url)
    assert few == many, (few, many)
