"""The audit trail itself (SPEC §3.13): append-only in the database, tenant data behind
row-level security, no secrets, who and from where; and the channel team's admin views."""

from __future__ import annotations

import pytest
from django.db import DatabaseError, connection, transaction
from django.test import Client

from partners.models import DiscountRule, Membership, Programme
from partners.services.team import membership_change_role
from portal.audit.services import audit_changes, audit_record
from portal.models import AuditEvent
from portal.tenancy.context import public_context, system_context, tenant_context
from tests.admin_forms import admin_form
from tests.factories import UserFactory
from tests.partners.factories_onboarding import PartnerApplicationFactory
from tests.partners.factories_team import member_of
from tests.portal.audit_support import events, seen

pytestmark = pytest.mark.django_db


def _record(organisation, *, action="test.changed", summary="changed") -> AuditEvent:
    with seen():
        return audit_record(
            actor=None,
            action=action,
            obj=organisation,
            organisation=organisation,
            after={"name": organisation.name},
            summary=summary,
        )


@pytest.fixture
def staff_browser():
    staff = UserFactory(is_staff=True, is_superuser=True, email="reviewer@vendor.example")
    client = Client()
    client.force_login(staff)
    return client, staff


# --- append-only, tenant data -------------------------------------------------------------


def test_the_database_refuses_to_change_or_delete_an_event(tenants):
    event = _record(tenants.alice.organisation)

    # As the application role, in a context that may otherwise write anything
    for attempt in (
        lambda: AuditEvent.objects.filter(pk=event.pk).update(summary="rewritten"),
        lambda: AuditEvent.objects.filter(pk=event.pk).delete(),
    ):
        with pytest.raises(DatabaseError, match="append-only"), seen():
            attempt()
    # And as the connecting role itself, in plain SQL
    for sql in (
        "UPDATE portal_auditevent SET summary = 'rewritten' WHERE id = %s",
        "DELETE FROM portal_auditevent WHERE id = %s",
    ):
        with transaction.atomic(), connection.cursor() as cursor:
            # Whatever the connecting role is (superuser, or an owner bound by FORCE RLS),
            # the row is visible to it here: only the trigger stands in the way.
            cursor.execute("SELECT set_config('app.bypass', 'on', true)")
            with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
                cursor.execute(sql, [event.pk])
            cursor.execute("SELECT set_config('app.bypass', 'off', true)")

    assert [e.summary for e in events()] == ["changed"]


def test_each_tenant_reads_its_own_events_and_only_the_platform_reads_the_rest(tenants):
    alice, bob = tenants.alice, tenants.bob
    _record(alice.organisation, summary="alice's")
    _record(bob.organisation, summary="bob's")
    with system_context("public:application"):
        audit_record(
            actor=None,
            action="application.submitted",
            obj=PartnerApplicationFactory(),
            organisation=None,
            summary="no tenant yet",
        )

    with tenant_context(alice.organisation.pk):
        assert [e.summary for e in AuditEvent.objects.all()] == ["alice's"]
    with public_context():
        assert AuditEvent.objects.count() == 0
    with system_context("staff:1"):
        assert AuditEvent.objects.count() == 3

    # A tenant cannot write an event into another tenant's trail either.
    with pytest.raises(DatabaseError), tenant_context(alice.organisation.pk):
        AuditEvent.objects.create(
            action="forged",
            content_type_id=_record(bob.organisation).content_type_id,
            object_id="x",
            object_repr="x",
            organisation=bob.organisation,
            summary="forged",
        )


@pytest.mark.django_db(transaction=True)
def test_an_event_is_only_written_inside_the_transaction_of_its_change(tenants_committed):
    with pytest.raises(RuntimeError, match="inside the transaction"):
        audit_record(
            actor=None,
            action="test.changed",
            obj=tenants_committed.alice.organisation,
            organisation=None,
            summary="outside",
        )


def test_only_changed_fields_are_kept_and_secrets_never():
    before, after = audit_changes(
        {"role": "sales", "city": "Berlin", "password": "old", "footprint": "s"},
        {"role": "admin", "city": "Berlin", "token_hash": "abc", "reply_nonce": "n", "otp": "1"},
    )
    assert (before, after) == ({"role": "sales", "footprint": "s"}, {"role": "admin"})


def test_a_command_is_named_by_its_context(tenants):
    with system_context("command:load_programme"):
        event = audit_record(
            actor=None,
            action="test.changed",
            obj=tenants.alice.organisation,
            organisation=tenants.alice.organisation,
            summary="by a job",
        )
    assert event.actor is None
    assert event.actor_label == "command:load_programme"


# --- who and from where, through requests -------------------------------------------------


def test_a_change_through_the_api_names_the_member_and_the_client_address(tenants):
    member = member_of(tenants.alice, role="sales")
    response = tenants.alice.api().patch(
        f"/api/v1/members/{member.pk}",
        {"role": "finance"},
        format="json",
        REMOTE_ADDR="192.0.2.10",
        HTTP_X_FORWARDED_FOR="203.0.113.66",  # forged: no proxy is trusted by default
    )
    assert response.status_code == 200

    (event,) = events("membership.role_changed")
    assert event.actor == tenants.alice.admin
    assert event.ip == "192.0.2.10"
    assert event.organisation_id == tenants.alice.organisation.pk


def test_behind_a_trusted_proxy_the_forwarded_address_is_recorded(tenants, settings):
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "NUM_PROXIES": 1}
    member = member_of(tenants.alice, role="sales")
    client = tenants.alice.browser()
    client.post(
        "/space/team/",
        {"action": "change_role", "membership": member.pk, "role": "technical"},
        REMOTE_ADDR="10.0.0.2",
        HTTP_X_FORWARDED_FOR="198.51.100.23",
    )
    client.post(  # a forwarded value that is no address is not recorded (and breaks nothing)
        "/space/team/",
        {"action": "change_role", "membership": member.pk, "role": "finance"},
        REMOTE_ADDR="10.0.0.2",
        HTTP_X_FORWARDED_FOR="not-an-address",
    )
    assert [e.ip for e in events("membership.role_changed")] == [None, "198.51.100.23"]


def test_a_platform_action_inside_a_staff_request_names_the_staff_member(staff_browser):
    client, staff = staff_browser
    application = PartnerApplicationFactory()
    response = client.post(f"/admin/partners/partnerapplication/{application.pk}/approve/")
    assert response.status_code == 302

    (invited,) = events("invitation.created")
    assert invited.actor == staff  # the first admin's invitation: invited_by is None
    assert invited.ip == "127.0.0.1"
    assert {e.actor for e in events()} == {staff}
    # The application's own admin page shows its trail (beside its own template's tools).
    page = client.get(f"/admin/partners/partnerapplication/{application.pk}/change/")
    assert f"Application from {application.company_name} approved" in page.content.decode()


# --- the admin ----------------------------------------------------------------------------


def test_staff_search_and_filter_the_read_only_trail(tenants, staff_browser):
    client, _ = staff_browser
    _record(tenants.alice.organisation, action="alice.thing", summary="alice's change")
    _record(tenants.bob.organisation, action="bob.thing", summary="bob's change")

    listing = client.get("/admin/portal/auditevent/", {"q": "alice's"})
    assert listing.status_code == 200
    assert b"alice&#x27;s change" in listing.content
    assert b"bob&#x27;s change" not in listing.content
    filtered = client.get("/admin/portal/auditevent/", {"action": "bob.thing"})
    assert b"bob&#x27;s change" in filtered.content
    assert b"alice&#x27;s change" not in filtered.content

    event = events("alice.thing")[0]
    assert client.get("/admin/portal/auditevent/add/").status_code == 403
    assert client.get(f"/admin/portal/auditevent/{event.pk}/change/").status_code == 200
    changed = client.post(f"/admin/portal/auditevent/{event.pk}/change/", {"summary": "x"})
    assert changed.status_code == 403
    assert (
        client.post(f"/admin/portal/auditevent/{event.pk}/delete/", {"post": "yes"}).status_code
        == 403
    )
    bulk = client.post(
        "/admin/portal/auditevent/",
        {"action": "delete_selected", "_selected_action": [event.pk], "post": "yes"},
    )
    assert bulk.status_code in {200, 302}
    assert len(events()) == 2


def test_an_organisations_admin_page_shows_everything_that_concerns_it(tenants, staff_browser):
    client, _ = staff_browser
    alice = tenants.alice
    member = member_of(alice, role="sales")
    with tenant_context(alice.organisation.pk):
        membership_change_role(membership=member, role="finance", actor=alice.admin)
    _record(tenants.bob.organisation, summary="bob's change")

    page = client.get(f"/admin/partners/organisation/{alice.organisation.pk}/change/")
    assert page.status_code == 200
    body = page.content.decode()
    assert "Audit trail" in body
    assert "role changed from Sales to Finance" in body
    assert "bob&#x27;s change" not in body

    listing = client.get(
        "/admin/portal/auditevent/", {"organisation__id__exact": alice.organisation.pk}
    )
    assert "role changed from Sales to Finance" in listing.content.decode()
    assert b"bob&#x27;s change" not in listing.content


def test_an_objects_admin_page_shows_its_own_trail(tenants, staff_browser):
    client, _ = staff_browser
    alice = tenants.alice
    member, other = member_of(alice, role="sales"), member_of(alice, role="sales")
    with tenant_context(alice.organisation.pk):
        membership_change_role(membership=member, role="finance", actor=alice.admin)
        membership_change_role(membership=other, role="technical", actor=alice.admin)

    body = client.get(f"/admin/partners/membership/{member.pk}/change/").content.decode()
    assert "role changed from Sales to Finance" in body
    assert "role changed from Sales to Technical" not in body


def test_programme_rule_edits_in_the_admin_are_recorded(staff_browser):
    client, staff = staff_browser
    from django.core.management import call_command

    call_command("load_programme", "vates", stdout=None)
    with seen():
        programme = Programme.objects.get(code="vates")
        rule = DiscountRule.objects.filter(programme=programme).order_by("percent").first()
    url = f"/admin/partners/programme/{programme.pk}/change/"
    data = {**admin_form(client, url, "programme_form"), "_save": "Save"}

    # When the protection window and one discount rule's percentage are changed
    data["protection_window_days"] = str(programme.protection_window_days + 10)
    prefix = next(
        key.removesuffix("-id")
        for key, value in data.items()
        if key.endswith("-id") and str(value) == str(rule.pk)
    )
    data[f"{prefix}-percent"] = "12.50"
    response = client.post(url, data)
    assert response.status_code == 302

    changed = events("programme.changed")[0]
    assert changed.actor == staff
    assert changed.organisation_id is None
    assert changed.before == {"protection_window_days": programme.protection_window_days}
    assert changed.after == {"protection_window_days": programme.protection_window_days + 10}
    (rule_event,) = events("discountrule.changed")
    assert rule_event.object_id == str(rule.pk)
    assert rule_event.before == {"percent": str(rule.percent)}
    assert rule_event.after == {"percent": "12.50"}

    # And deleting a rule is recorded with what it was
    response = client.post(f"/admin/partners/discountrule/{rule.pk}/delete/", {"post": "yes"})
    assert response.status_code == 302
    (deleted,) = events("discountrule.deleted")
    assert deleted.before["percent"] == "12.50"


def test_a_change_the_admin_makes_through_a_service_is_recorded_once(tenants, staff_browser):
    client, _ = staff_browser
    response = client.post(
        "/admin/partners/salestraining/add/",
        {
            "organisation": tenants.alice.organisation.pk,
            "membership": tenants.alice.membership.pk,
            "person_name": "",
            "person_email": "",
            "attended_on": "2026-03-02",
            "session": "Spring",
        },
    )
    assert response.status_code == 302
    assert [e.action for e in events()] == ["training.recorded"]


def test_granting_staff_rights_in_the_admin_is_recorded(staff_browser):
    client, staff = staff_browser
    person = UserFactory(email="someone@vendor.example")
    url = f"/admin/portal/user/{person.pk}/change/"
    data = {**admin_form(client, url, "user_form"), "is_staff": "on", "_save": "Save"}
    response = client.post(url, data)
    assert response.status_code == 302

    (event,) = events("user.changed")
    assert event.actor == staff
    # (The page shows date_joined without microseconds, so saving it drops them: a real
    # change, which Django's own admin log reports too.)
    assert (event.before["is_staff"], event.after["is_staff"]) == (False, True)
    assert not Membership.objects.filter(user=person).exists()


def test_an_organisation_edited_in_the_admin_is_recorded_once_by_its_service(
    tenants, staff_browser
):
    client, staff = staff_browser
    alice = tenants.alice.organisation
    url = f"/admin/partners/organisation/{alice.pk}/change/"
    data = {**admin_form(client, url, "organisation_form"), "status": "suspended"}

    response = client.post(url, {**data, "_save": "Save"})

    assert response.status_code == 302
    assert [(e.action, e.actor) for e in events()] == [("organisation.changed", staff)]


def test_every_audited_admin_page_shows_its_trail(tenants, staff_browser):
    client, _ = staff_browser
    from tests.partners.factories_team import InvitationFactory

    invitation = InvitationFactory(organisation=tenants.alice.organisation)
    for url in (
        f"/admin/partners/invitation/{invitation.pk}/change/",
        f"/admin/partners/membership/{tenants.alice.membership.pk}/change/",
        f"/admin/portal/user/{tenants.alice.admin.pk}/change/",
    ):
        page = client.get(url)
        assert page.status_code == 200, url
        assert "Audit trail" in page.content.decode(), url


def test_every_channel_team_group_reads_the_trail_and_none_changes_it(tenants):
    from django.contrib.auth.models import Group

    from portal.staff_groups import staff_groups_sync

    staff_groups_sync()  # as migrate and seed_demo leave them (a flushed test database has none)
    event = _record(tenants.alice.organisation, summary="alice's change")
    for name in ("Channel reviewer", "Channel finance", "Programme manager"):
        person = UserFactory(is_staff=True)
        person.groups.add(Group.objects.get(name=name))
        client = Client()
        client.force_login(person)
        assert client.get("/admin/portal/auditevent/").status_code == 200, name
        changed = client.post(f"/admin/portal/auditevent/{event.pk}/change/", {"summary": "x"})
        assert changed.status_code == 403, name
    assert [e.summary for e in events()] == ["alice's change"]
