"""Team (SPEC §3.8, §1 roles): invitations, acceptance, roles, removal, the last admin."""

from __future__ import annotations

import re
import threading
import time
from datetime import timedelta

import pytest
from allauth.account.models import EmailAddress
from django.core import mail
from django.db import connection
from django.test import Client
from django.utils import timezone
from rest_framework.test import APIClient

from partners import roles
from partners.models import Invitation, Membership, Organisation
from partners.selectors.team import token_hash
from partners.services import team as team_services
from partners.services.team import (
    NOT_INVITABLE,
    InvitationGone,
    invitation_accept,
    invitation_create,
    membership_change_role,
)
from portal.errors import Conflict
from portal.models import User
from portal.tenancy.context import tenant_context
from tests.factories import PASSWORD, MembershipFactory, OrganisationFactory, UserFactory
from tests.partners.factories_team import InvitationFactory, member_of
from tests.tenancy_support import observer

LOGIN = "/_allauth/app/v1/auth/login"
NEW_PASSWORD = "a-long-and-unusual-passphrase-42"
LINK = re.compile(r"http://testserver/invitations/([A-Za-z0-9_-]+)/")


def api_for(user, password: str = PASSWORD) -> APIClient:
    client = APIClient()
    response = client.post(LOGIN, {"email": user.email, "password": password}, format="json")
    assert response.status_code == 200, response.content
    client.credentials(HTTP_X_SESSION_TOKEN=response.json()["meta"]["session_token"])
    return client


def browser_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def seen():
    """Read tenant tables as the platform does (RLS binds a non-superuser table owner)."""
    return observer()


def token_from_last_email() -> str:
    match = LINK.search(mail.outbox[-1].body)
    assert match, mail.outbox[-1].body
    return match.group(1)


def test_role_rules_name_every_role_and_only_admins_manage_the_team():
    assert set(Membership.Role.values) == roles.ALL
    assert set(roles.MANAGE_TEAM) == {"admin"}
    for rule in (roles.VIEW_INVOICES, roles.REGISTER_DEALS, roles.MANAGE_LICENCES):
        assert rule <= roles.ALL
        assert "admin" in rule


# --- invite and accept ---------------------------------------------------------------------


@pytest.mark.django_db
def test_invite_accept_as_a_new_person_then_log_in_and_see_the_team(
    tenants, django_capture_on_commit_callbacks
):
    alice = tenants.alice
    admin = alice.browser()

    # Given alice's admin invites a new person from the team page
    with django_capture_on_commit_callbacks(execute=True):
        response = admin.post(
            "/space/team/",
            {"action": "invite", "email": " New.Person@Example.COM ", "role": "sales"},
        )
    assert response.status_code == 302

    # Then the person gets one email with a link, and only the token's hash is stored
    assert len(mail.outbox) == 1
    email = mail.outbox[0]
    assert email.to == ["new.person@example.com"]
    assert alice.organisation.name in email.subject + email.body
    assert "Sales" in email.body
    assert alice.admin.get_full_name() in email.body
    token = token_from_last_email()
    with seen():
        invitation = Invitation.objects.get(organisation=alice.organisation)
    assert invitation.token_hash == token_hash(token)
    assert token not in invitation.token_hash
    assert abs(invitation.expires_at - invitation.created_at - timedelta(days=14)) < timedelta(
        seconds=5
    )

    # When they open the link (no account yet), they see the organisation, the role, a form
    visitor = Client()
    page = visitor.get(f"/invitations/{token}/")
    assert page.status_code == 200
    html = page.content.decode()
    assert alice.organisation.name in html
    assert "Sales" in html
    assert 'name="password_confirm"' in html

    # And they set their name and password
    response = visitor.post(
        f"/invitations/{token}/",
        {"full_name": "New Person", "password": NEW_PASSWORD, "password_confirm": NEW_PASSWORD},
    )

    # Then they are a member, logged in, and sent to the reseller space
    assert response.status_code == 302
    assert response["Location"] == "/space/"
    user = User.objects.get(email="new.person@example.com")
    assert user.full_name == "New Person"
    assert EmailAddress.objects.filter(user=user, verified=True, primary=True).exists()
    with seen():
        membership = Membership.objects.get(user=user)
        invitation.refresh_from_db()
    assert membership.organisation_id == alice.organisation.pk
    assert membership.role == "sales"
    assert invitation.accepted_at is not None
    team_page = visitor.get("/space/team/")
    assert team_page.status_code == 200
    assert alice.admin.email in team_page.content.decode()

    # And they can log in through the API (verified address) and list the team
    client = api_for(user, NEW_PASSWORD)
    members = client.get("/api/v1/members").json()["results"]
    assert {m["email"] for m in members} == {alice.admin.email, "new.person@example.com"}


@pytest.mark.django_db
def test_the_api_invites_with_201_and_the_link_uses_the_request_host(
    tenants, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = tenants.alice.api().post(
            "/api/v1/members", {"email": "Tech@Example.com", "role": "technical"}, format="json"
        )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["email"] == "tech@example.com"
    assert body["role"] == "technical"
    assert body["status"] == "invited"
    assert body["expires_at"]
    assert "token" not in str(body).lower()
    assert mail.outbox[-1].to == ["tech@example.com"]
    assert LINK.search(mail.outbox[-1].body)


@pytest.mark.django_db
def test_bad_input_gets_400_with_field_messages(tenants):
    client = tenants.alice.api()
    response = client.post("/api/v1/members", {"email": "nope", "role": "boss"}, format="json")
    assert response.status_code == 400
    assert set(response.json()["fields"]) == {"email", "role"}

    member = member_of(tenants.alice)
    response = client.patch(f"/api/v1/members/{member.pk}", {"role": "owner"}, format="json")
    assert response.status_code == 400
    assert "role" in response.json()["fields"]
    response = client.patch(f"/api/v1/members/{member.pk}", {}, format="json")
    assert response.status_code == 400
    assert "role" in response.json()["fields"]

    # The page shows the error beside the field, and nothing is written
    page = tenants.alice.browser().post(
        "/space/team/", {"action": "invite", "email": "not-an-email", "role": "sales"}
    )
    assert page.status_code == 400
    assert "is-invalid" in page.content.decode()
    with seen():
        assert not Invitation.objects.exists()


@pytest.mark.django_db
def test_inviting_again_replaces_the_open_invitation(tenants, django_capture_on_commit_callbacks):
    client = tenants.alice.api()
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            "/api/v1/members", {"email": "twice@example.com", "role": "sales"}, format="json"
        )
    first_token = token_from_last_email()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            "/api/v1/members", {"email": "twice@example.com", "role": "finance"}, format="json"
        )
    assert response.status_code == 201
    second_token = token_from_last_email()

    with seen():
        invitations = list(Invitation.objects.filter(email="twice@example.com"))
    assert len(invitations) == 2
    assert sorted(i.revoked_at is None for i in invitations) == [False, True]
    assert Client().get(f"/invitations/{first_token}/").status_code == 410
    page = Client().get(f"/invitations/{second_token}/")
    assert page.status_code == 200
    assert "Finance" in page.content.decode()


@pytest.mark.django_db
def test_members_of_this_organisation_are_told_so_and_others_get_a_generic_refusal(tenants):
    client = tenants.alice.api()
    colleague = member_of(tenants.alice)

    response = client.post(
        "/api/v1/members", {"email": colleague.user.email.upper(), "role": "sales"}, format="json"
    )
    assert response.status_code == 400
    assert "already a member" in response.json()["fields"]["email"][0]

    # Bob's admin belongs to another organisation: nothing about it is revealed
    for email in (tenants.bob.admin.email, UserFactory(is_staff=True).email):
        response = client.post("/api/v1/members", {"email": email, "role": "sales"}, format="json")
        assert response.status_code == 400
        assert response.json()["fields"] == {"email": [NOT_INVITABLE]}
        assert tenants.bob.organisation.name not in response.content.decode()

    page = tenants.alice.browser().post(
        "/space/team/", {"action": "invite", "email": tenants.bob.admin.email, "role": "sales"}
    )
    assert page.status_code == 400
    html = page.content.decode()
    assert "This address cannot be invited" in html
    assert tenants.bob.organisation.name not in html
    with seen():
        assert not Invitation.objects.exists()


@pytest.mark.django_db
def test_expired_revoked_unknown_and_reused_links_are_refused_kindly(tenants):
    org = tenants.alice.organisation
    InvitationFactory(organisation=org, token="expired", expires_at=timezone.now())
    InvitationFactory(organisation=org, token="revoked", revoked_at=timezone.now())
    InvitationFactory(organisation=org, token="fresh", email="fresh@example.com")

    expired = Client().get("/invitations/expired/")
    assert expired.status_code == 410
    assert "expired" in expired.content.decode()
    revoked = Client().post(
        "/invitations/revoked/",
        {"full_name": "X", "password": NEW_PASSWORD, "password_confirm": NEW_PASSWORD},
    )
    assert revoked.status_code == 410
    assert "withdrawn" in revoked.content.decode()
    assert Client().get("/invitations/no-such-token/").status_code == 404
    assert Client().get(f"/invitations/{'x' * 500}/").status_code == 404
    assert not User.objects.filter(email__startswith="invitee").exists()

    # A link works once
    form = {"full_name": "Fresh Person", "password": NEW_PASSWORD, "password_confirm": NEW_PASSWORD}
    assert Client().post("/invitations/fresh/", form).status_code == 302
    again = Client().post("/invitations/fresh/", form)
    assert again.status_code == 410
    assert "already been used" in again.content.decode()
    with pytest.raises(InvitationGone):
        invitation_accept(token="fresh", full_name="Someone", password=NEW_PASSWORD)
    with seen():
        assert Membership.objects.filter(user__email="fresh@example.com").count() == 1


@pytest.mark.django_db
def test_a_new_account_needs_a_valid_matching_password(tenants):
    InvitationFactory(organisation=tenants.alice.organisation, token="pw", email="pw@example.com")
    client = Client()

    mismatch = client.post(
        "/invitations/pw/",
        {"full_name": "P W", "password": NEW_PASSWORD, "password_confirm": NEW_PASSWORD + "x"},
    )
    assert mismatch.status_code == 400
    assert "do not match" in mismatch.content.decode()

    weak = client.post(
        "/invitations/pw/", {"full_name": "P W", "password": "123", "password_confirm": "123"}
    )
    assert weak.status_code == 400
    assert "too short" in weak.content.decode()
    assert "is-invalid" in weak.content.decode()
    assert not User.objects.filter(email="pw@example.com").exists()


@pytest.mark.django_db
def test_someone_with_an_account_logs_in_then_joins_with_one_button(tenants):
    person = UserFactory(email="known@example.com")
    InvitationFactory(organisation=tenants.bob.organisation, token="known", email=person.email)

    # Not logged in: asked to log in, and brought back here
    page = Client().get("/invitations/known/")
    assert page.status_code == 200
    assert "/accounts/login/?next=/invitations/known/" in page.content.decode()
    assert Client().post("/invitations/known/", {}).status_code == 200  # nothing happens
    with seen():
        assert not Membership.objects.filter(user=person).exists()

    # Logged in as someone else: told so, nothing happens
    stranger = browser_for(UserFactory())
    page = stranger.get("/invitations/known/")
    assert "you are logged in as" in page.content.decode()
    stranger.post("/invitations/known/")
    with seen():
        assert not Membership.objects.filter(user=person).exists()

    # Logged in as the invited address: one button
    client = browser_for(person)
    page = client.get("/invitations/known/")
    assert f"Join {tenants.bob.organisation.name}" in page.content.decode()
    response = client.post("/invitations/known/")
    assert response.status_code == 302
    assert response["Location"] == "/space/"
    with seen():
        assert Membership.objects.get(user=person).organisation_id == tenants.bob.organisation.pk
    assert client.get("/space/team/").status_code == 200


@pytest.mark.django_db
def test_a_member_of_another_organisation_cannot_accept(tenants):
    # An invitation made before the person joined elsewhere
    InvitationFactory(
        organisation=tenants.alice.organisation, token="t", email=tenants.bob.admin.email
    )
    response = tenants.bob.browser().post("/invitations/t/")
    assert response.status_code == 400
    assert "already belongs to another partner organisation" in response.content.decode()
    with seen():
        assert Membership.objects.get(user=tenants.bob.admin).organisation_id == (
            tenants.bob.organisation.pk
        )


@pytest.mark.django_db
def test_the_channel_team_invites_the_first_admin_of_a_pending_organisation(
    django_capture_on_commit_callbacks,
):
    organisation = OrganisationFactory(status=Organisation.Status.PENDING)
    with observer(), django_capture_on_commit_callbacks(execute=True):
        invitation = invitation_create(
            organisation=organisation,
            email="founder@example.com",
            role="admin",
            invited_by=None,
            base_url="http://testserver",
        )
    assert invitation.invited_by is None
    assert "channel team" in mail.outbox[-1].body
    membership = invitation_accept(
        token=token_from_last_email(), full_name="First Admin", password=NEW_PASSWORD
    )
    assert membership.role == "admin"
    assert membership.organisation_id == organisation.pk


# --- roles ---------------------------------------------------------------------------------


@pytest.mark.django_db
def test_sales_can_read_the_team_but_not_change_it(tenants):
    sales = member_of(tenants.alice, role="sales")
    admin_membership = tenants.alice.membership
    invitation = InvitationFactory(organisation=tenants.alice.organisation)
    client = api_for(sales.user)

    assert client.get("/api/v1/members").status_code == 200
    assert client.get(f"/api/v1/members/{admin_membership.pk}").status_code == 200
    assert (
        client.post("/api/v1/members", {"email": "x@example.com", "role": "sales"}, format="json")
    ).status_code == 403
    assert (
        client.patch(f"/api/v1/members/{admin_membership.pk}", {"role": "sales"}, format="json")
    ).status_code == 403
    assert client.delete(f"/api/v1/members/{admin_membership.pk}").status_code == 403
    assert client.get("/api/v1/invitations").status_code == 403
    assert client.delete(f"/api/v1/invitations/{invitation.pk}").status_code == 403

    browser = browser_for(sales.user)
    page = browser.get("/space/team/")
    assert page.status_code == 200
    html = page.content.decode()
    assert tenants.alice.admin.email in html
    assert "Send invitation" not in html
    assert 'name="action"' not in html
    assert invitation.email not in html
    assert (
        browser.post(
            "/space/team/", {"action": "invite", "email": "x@example.com", "role": "sales"}
        ).status_code
        == 403
    )
    assert browser.get(f"/space/team/members/{admin_membership.pk}/remove/").status_code == 403
    assert browser.post(f"/space/team/members/{admin_membership.pk}/remove/").status_code == 403
    with seen():
        admin_membership.refresh_from_db()
        assert admin_membership.role == "admin"
        assert not Invitation.objects.filter(email="x@example.com").exists()


@pytest.mark.django_db
def test_admins_change_roles_and_history_records_who_did_it(tenants):
    member = member_of(tenants.alice, role="sales")
    response = tenants.alice.api().patch(
        f"/api/v1/members/{member.pk}", {"role": "finance"}, format="json"
    )
    assert response.status_code == 200
    assert response.json()["role"] == "finance"
    assert response.json()["email"] == member.user.email

    tenants.alice.browser().post(
        "/space/team/", {"action": "change_role", "membership": member.pk, "role": "technical"}
    )
    with seen():
        history = list(member.history.order_by("history_date"))
    assert [h.role for h in history] == ["sales", "finance", "technical"]
    assert history[-1].history_user == tenants.alice.admin
    assert history[-2].history_user == tenants.alice.admin


@pytest.mark.django_db
def test_a_removed_member_loses_access_at_once_but_keeps_the_account(tenants):
    member = member_of(tenants.alice, role="technical")
    their_api = api_for(member.user)
    assert their_api.get("/api/v1/members").status_code == 200

    response = tenants.alice.api().delete(f"/api/v1/members/{member.pk}")

    assert response.status_code == 204
    assert their_api.get("/api/v1/members").status_code == 403
    assert User.objects.filter(pk=member.user.pk).exists()
    with seen():
        assert not Membership.objects.filter(pk=member.pk).exists()
        assert member.history.latest("history_date").history_type == "-"


@pytest.mark.django_db
def test_removing_on_the_page_asks_for_confirmation_first(tenants):
    member = member_of(tenants.alice)
    browser = tenants.alice.browser()
    url = f"/space/team/members/{member.pk}/remove/"

    page = browser.get(url)
    assert page.status_code == 200
    assert member.user.email in page.content.decode()
    with seen():
        assert Membership.objects.filter(pk=member.pk).exists()

    response = browser.post(url)
    assert response.status_code == 302
    with seen():
        assert not Membership.objects.filter(pk=member.pk).exists()


@pytest.mark.django_db
def test_the_last_admin_can_be_neither_demoted_nor_removed(tenants):
    admin = tenants.alice.membership
    client = tenants.alice.api()

    response = client.patch(f"/api/v1/members/{admin.pk}", {"role": "sales"}, format="json")
    assert response.status_code == 409
    assert response.json()["code"] == "last_admin"
    assert client.delete(f"/api/v1/members/{admin.pk}").status_code == 409

    browser = tenants.alice.browser()
    page = browser.post(
        "/space/team/", {"action": "change_role", "membership": admin.pk, "role": "sales"}
    )
    assert page.status_code == 400
    assert "at least one administrator" in page.content.decode()
    page = browser.post(f"/space/team/members/{admin.pk}/remove/")
    assert page.status_code == 409
    assert "at least one administrator" in page.content.decode()
    with seen():
        admin.refresh_from_db()
    assert admin.role == "admin"

    # With a second admin, the first may step down
    member_of(tenants.alice, role="admin")
    response = client.patch(f"/api/v1/members/{admin.pk}", {"role": "sales"}, format="json")
    assert response.status_code == 200
    assert client.get("/api/v1/members").status_code == 200  # still a member


@pytest.mark.django_db
def test_another_tenants_ids_answer_404(tenants):
    bob_member = member_of(tenants.bob)
    bob_invitation = InvitationFactory(organisation=tenants.bob.organisation)
    client = tenants.alice.api()
    assert (
        client.patch(
            f"/api/v1/members/{bob_member.pk}", {"role": "admin"}, format="json"
        ).status_code
        == 404
    )
    assert client.delete(f"/api/v1/invitations/{bob_invitation.pk}").status_code == 404
    assert client.get("/api/v1/members/not-a-uuid").status_code == 404
    page = tenants.alice.browser().post(
        "/space/team/", {"action": "revoke", "invitation": bob_invitation.pk}
    )
    assert page.status_code == 404
    with seen():
        bob_member.refresh_from_db()
        bob_invitation.refresh_from_db()
    assert bob_member.role == "sales"
    assert bob_invitation.revoked_at is None


@pytest.mark.django_db
def test_revoking_an_invitation_kills_its_link(tenants):
    invitation = InvitationFactory(organisation=tenants.alice.organisation, token="revoke-me")
    client = tenants.alice.api()
    listed = client.get("/api/v1/invitations").json()["results"]
    assert [i["id"] for i in listed] == [str(invitation.pk)]
    assert listed[0]["status"] == "invited"

    assert client.delete(f"/api/v1/invitations/{invitation.pk}").status_code == 204
    assert client.get("/api/v1/invitations").json()["results"] == []
    assert client.get(f"/api/v1/invitations/{invitation.pk}").status_code == 404
    assert Client().get("/invitations/revoke-me/").status_code == 410

    other = InvitationFactory(organisation=tenants.alice.organisation, email="page@example.com")
    response = tenants.alice.browser().post(
        "/space/team/", {"action": "revoke", "invitation": other.pk}
    )
    assert response.status_code == 302
    with seen():
        other.refresh_from_db()
    assert other.revoked_at is not None


# --- concurrency ---------------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_two_concurrent_demotions_of_the_last_two_admins_cannot_both_succeed(
    tenants_committed, monkeypatch
):
    # Given alice's organisation with exactly two admins
    alice = tenants_committed.alice
    first = alice.membership
    second = MembershipFactory(organisation=alice.organisation, role="admin")

    # Each demotion holds its locks a moment, so the two overlap
    real_lock = team_services._lock_admins

    def slow_lock(**kwargs):
        locked = real_lock(**kwargs)
        time.sleep(0.3)
        return locked

    monkeypatch.setattr(team_services, "_lock_admins", slow_lock)
    barrier = threading.Barrier(2)
    outcomes: dict[str, str] = {}

    def demote(membership):
        try:
            barrier.wait(timeout=5)
            with tenant_context(alice.organisation.pk):
                membership_change_role(membership=membership, role="sales", actor=membership.user)
            outcomes[str(membership.pk)] = "demoted"
        except Conflict as exc:
            outcomes[str(membership.pk)] = exc.code
        except Exception as exc:  # any other failure is reported by the assertion below
            outcomes[str(membership.pk)] = repr(exc)
        finally:
            connection.close()

    # When both admins step down at the same time
    threads = [threading.Thread(target=demote, args=(m,)) for m in (first, second)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    # Then exactly one succeeds and one admin remains
    assert sorted(outcomes.values()) == ["demoted", "last_admin"], outcomes
    with seen():
        assert Membership.objects.filter(organisation=alice.organisation, role="admin").count() == 1
