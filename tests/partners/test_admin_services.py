"""The admin writes only through the services (issue 6 §5): each change form is driven as
a staff member would, with and without the permission, and a refused change leaves the
database as it was."""

from __future__ import annotations

import re
from datetime import date

import pytest
from django.core import mail
from django.test import Client
from django.utils import timezone

from partners.models import (
    Agreement,
    Invitation,
    Membership,
    Organisation,
    PartnerApplication,
    PartnerProfile,
    SalesTraining,
    Tier,
)
from partners.selectors.team import token_hash
from tests.admin_forms import admin_form, post_admin_form
from tests.factories import UserFactory, staff_user
from tests.partners.factories_directory import bomb_png, image_bytes, upload
from tests.partners.factories_onboarding import AgreementFactory, PartnerApplicationFactory
from tests.partners.factories_team import InvitationFactory, member_of
from tests.tenancy_support import observer

LINK = re.compile(r"https?://[^/\s]+/invitations/([A-Za-z0-9_-]+)/")
DESCRIPTION = (
    "Alice Distribution supplies resellers across Germany with virtualization "
    "subscriptions, runs enablement days and pre-sales reviews, and helps partners move "
    "their customers to open hypervisors with tested runbooks and first-line support in "
    "German every working day."
)


def browser(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def superuser() -> Client:
    return browser(UserFactory(is_staff=True, is_superuser=True))


def rows(*models) -> dict:
    """Every row of these tables, as the platform sees them: to prove nothing changed."""
    with observer():
        return {
            model.__name__: sorted(model.objects.values_list(), key=lambda row: str(row[0]))
            for model in models
        }


ALL = (Organisation, Membership, Invitation, PartnerProfile, Agreement, PartnerApplication)


def sign(organisation) -> Agreement:
    user = Membership.objects.filter(organisation=organisation).first().user
    return AgreementFactory(
        organisation=organisation, accepted_by=user, accepted_at=timezone.now(), accepted_name="A"
    )


# --- applications ----------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_reader_sees_an_application_but_is_not_offered_nor_allowed_decisions():
    application = PartnerApplicationFactory()
    reader = browser(staff_user("partners.view_partnerapplication"))
    change = f"/admin/partners/partnerapplication/{application.pk}/change/"
    before = rows(*ALL)

    page = reader.get(change)
    refused = [
        reader.post(f"/admin/partners/partnerapplication/{application.pk}/approve/"),
        reader.post(
            f"/admin/partners/partnerapplication/{application.pk}/reject/", {"text": "No."}
        ),
        reader.post(
            f"/admin/partners/partnerapplication/{application.pk}/request-info/", {"text": "?"}
        ),
        reader.get(f"/admin/partners/partnerapplication/{application.pk}/approve/"),
    ]

    assert page.status_code == 200
    assert b"/approve/" not in page.content
    assert b"/reject/" not in page.content
    assert [r.status_code for r in refused] == [403, 403, 403, 403]
    assert rows(*ALL) == before
    assert mail.outbox == []


@pytest.mark.django_db
def test_a_reviewer_is_offered_the_decisions_and_approves(django_capture_on_commit_callbacks):
    application = PartnerApplicationFactory()
    reviewer = browser(
        staff_user("partners.view_partnerapplication", "partners.review_application")
    )

    page = reviewer.get(f"/admin/partners/partnerapplication/{application.pk}/change/")
    with django_capture_on_commit_callbacks(execute=True):
        response = reviewer.post(f"/admin/partners/partnerapplication/{application.pk}/approve/")

    assert b"/approve/" in page.content
    assert response.status_code == 302
    application.refresh_from_db()
    assert application.status == PartnerApplication.Status.APPROVED


@pytest.mark.django_db
def test_an_application_is_never_reverted_from_its_history():
    # django-simple-history's per-version form saves with only the view permission.
    application = PartnerApplicationFactory()
    version = application.history.earliest()
    with observer():
        PartnerApplication.objects.filter(pk=application.pk).update(
            status=PartnerApplication.Status.REJECTED, rejection_reason="Out of scope."
        )
    before = rows(PartnerApplication)

    for client in (browser(staff_user("partners.view_partnerapplication")), superuser()):
        response = client.post(
            f"/admin/partners/partnerapplication/{application.pk}/history/{version.history_id}/",
            {"_save": "Revert"},
        )
        assert response.status_code == 403

    assert rows(PartnerApplication) == before


# --- training records ------------------------------------------------------------------------


@pytest.mark.django_db
def test_recording_training_in_the_admin_needs_the_permission(tenants):
    alice = tenants.alice
    data = {
        "organisation": alice.organisation.pk,
        "membership": alice.membership.pk,
        "person_name": "",
        "person_email": "",
        "attended_on": "2026-02-10",
        "session": "February session",
        "_save": "Save",
    }
    viewer = browser(staff_user("partners.view_salestraining"))
    recorder = browser(staff_user("partners.view_salestraining", "partners.record_training"))

    refused = viewer.post("/admin/partners/salestraining/add/", data)
    assert refused.status_code == 403
    assert rows(SalesTraining) == {"SalesTraining": []}

    accepted = recorder.post("/admin/partners/salestraining/add/", data)
    assert accepted.status_code == 302
    with observer():
        assert SalesTraining.objects.get().attended_on == date(2026, 2, 10)


# --- organisations ---------------------------------------------------------------------------


def _organisation_url(organisation) -> str:
    return f"/admin/partners/organisation/{organisation.pk}/change/"


@pytest.mark.django_db
def test_the_tier_is_not_edited_on_the_organisation_page(tenants):
    # A tier changes with a reason and a TierChange (pes.services.tiers), not as a field.
    alice = tenants.alice.organisation
    tier_2 = Tier.objects.create(partner_type=alice.partner_type, level=2)
    manager = browser(staff_user("partners.view_organisation", "partners.change_organisation"))
    before = rows(*ALL)

    form = admin_form(manager, _organisation_url(alice), "organisation_form")
    response = manager.post(
        _organisation_url(alice), {**form, "tier": str(tier_2.pk), "_save": "Save"}
    )

    assert "tier" not in form
    assert "partner_type" not in form
    assert response.status_code == 302
    assert rows(*ALL) == before


@pytest.mark.django_db
def test_the_organisation_page_links_to_the_reasoned_tier_change(tenants):
    alice = tenants.alice.organisation
    link = f"/admin/pes/tierchange/change-tier/?organisation={alice.pk}"
    viewer = browser(staff_user("partners.view_organisation"))
    changer = browser(staff_user("partners.view_organisation", "pes.change_tiers"))

    assert link not in viewer.get(_organisation_url(alice)).content.decode()
    page = changer.get(_organisation_url(alice)).content.decode()
    assert link in page
    follow = changer.get(link)
    assert follow.status_code == 200
    assert follow.context["form"]["organisation"].value() == str(alice.pk)


@pytest.mark.django_db
def test_editing_an_organisation_needs_the_permission(tenants):
    alice = tenants.alice.organisation
    form = admin_form(superuser(), _organisation_url(alice), "organisation_form")
    viewer = browser(staff_user("partners.view_organisation"))
    before = rows(*ALL)

    response = viewer.post(_organisation_url(alice), {**form, "name": "Renamed", "_save": "Save"})

    assert response.status_code == 403
    assert rows(*ALL) == before


@pytest.mark.django_db
def test_a_pending_organisation_becomes_active_only_with_a_signed_agreement(tenants):
    alice = tenants.alice.organisation
    Organisation.objects.filter(pk=alice.pk).update(status=Organisation.Status.PENDING)
    AgreementFactory(organisation=alice)  # ready, not signed
    manager = browser(staff_user("partners.view_organisation", "partners.change_organisation"))
    before = rows(*ALL)

    refused = post_admin_form(
        manager, _organisation_url(alice), "organisation_form", status="active"
    )

    assert refused.status_code == 200
    assert "no signed agreement" in str(refused.context["adminform"].errors)
    assert rows(*ALL) == before


@pytest.mark.django_db
def test_status_changes_follow_the_agreement(tenants):
    alice = tenants.alice.organisation
    sign(alice)
    manager = browser(staff_user("partners.view_organisation", "partners.change_organisation"))
    url = _organisation_url(alice)

    suspended = post_admin_form(manager, url, "organisation_form", status="suspended")
    alice.refresh_from_db()
    assert (suspended.status_code, alice.status) == (302, "suspended")

    pending = post_admin_form(manager, url, "organisation_form", status="pending")
    alice.refresh_from_db()
    assert pending.status_code == 200
    assert "no longer pending" in str(pending.context["adminform"].errors)
    assert alice.status == "suspended"

    active = post_admin_form(manager, url, "organisation_form", status="active")
    alice.refresh_from_db()
    assert (active.status_code, alice.status) == (302, "active")


@pytest.mark.django_db
def test_organisations_are_neither_added_nor_deleted_in_the_admin(tenants):
    client = superuser()
    alice = tenants.alice.organisation
    assert client.get("/admin/partners/organisation/add/").status_code == 403
    assert (
        client.post(f"/admin/partners/organisation/{alice.pk}/delete/", {"post": "yes"}).status_code
        == 403
    )
    assert Organisation.objects.filter(pk=alice.pk).exists()


# --- members ---------------------------------------------------------------------------------


def _membership_url(membership) -> str:
    return f"/admin/partners/membership/{membership.pk}/change/"


TEAM_PERMISSIONS = (
    "partners.view_membership",
    "partners.change_membership",
    "partners.delete_membership",
)


@pytest.mark.django_db
def test_the_last_admin_keeps_the_role_in_the_admin(tenants):
    alice = tenants.alice
    manager = browser(staff_user(*TEAM_PERMISSIONS))
    before = rows(*ALL)

    response = post_admin_form(
        manager, _membership_url(alice.membership), "membership_form", role="sales"
    )

    assert response.status_code == 200
    assert "at least one administrator" in str(response.context["adminform"].errors)
    assert rows(*ALL) == before


@pytest.mark.django_db
def test_the_last_admin_is_not_removed_in_the_admin(tenants):
    alice = tenants.alice
    manager = browser(staff_user(*TEAM_PERMISSIONS))
    before = rows(*ALL)

    response = manager.post(
        f"/admin/partners/membership/{alice.membership.pk}/delete/", {"post": "yes"}, follow=True
    )

    assert "at least one administrator" in response.content.decode()
    assert rows(*ALL) == before


@pytest.mark.django_db
def test_roles_change_and_members_leave_while_an_admin_remains(tenants):
    alice = tenants.alice
    second = member_of(alice, role=Membership.Role.ADMIN)
    sales = member_of(alice, role=Membership.Role.SALES)
    manager = browser(staff_user(*TEAM_PERMISSIONS))

    changed = post_admin_form(
        manager, _membership_url(alice.membership), "membership_form", role="technical"
    )
    removed = manager.post(f"/admin/partners/membership/{sales.pk}/delete/", {"post": "yes"})
    last = manager.post(
        f"/admin/partners/membership/{second.pk}/delete/", {"post": "yes"}, follow=True
    )

    assert (changed.status_code, removed.status_code) == (302, 302)
    assert "at least one administrator" in last.content.decode()
    with observer():
        roles_now = dict(
            Membership.objects.filter(organisation=alice.organisation).values_list("pk", "role")
        )
    assert roles_now == {alice.membership.pk: "technical", second.pk: "admin"}


@pytest.mark.django_db
def test_changing_or_removing_members_needs_the_permissions(tenants):
    alice = tenants.alice
    member = member_of(alice, role=Membership.Role.SALES)
    form = admin_form(superuser(), _membership_url(member), "membership_form")
    viewer = browser(staff_user("partners.view_membership"))
    before = rows(*ALL)

    changed = viewer.post(_membership_url(member), {**form, "role": "finance", "_save": "Save"})
    removed = viewer.post(f"/admin/partners/membership/{member.pk}/delete/", {"post": "yes"})
    added = viewer.get("/admin/partners/membership/add/")

    assert (changed.status_code, removed.status_code, added.status_code) == (403, 403, 403)
    assert rows(*ALL) == before


# --- invitations -----------------------------------------------------------------------------

INVITE_PERMISSIONS = ("partners.view_invitation", "partners.add_invitation")


@pytest.mark.django_db
def test_adding_an_invitation_in_the_admin_invites_the_person(
    tenants, django_capture_on_commit_callbacks
):
    alice = tenants.alice.organisation
    staff = staff_user(*INVITE_PERMISSIONS, full_name="Chris Channel")
    client = browser(staff)
    form = admin_form(client, "/admin/partners/invitation/add/", "invitation_form")
    assert set(form) >= {"organisation", "email", "role"}

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            "/admin/partners/invitation/add/",
            {"organisation": alice.pk, "email": "New.Person@Example.com", "role": "technical"},
        )

    assert response.status_code == 302, response.content
    with observer():
        invitation = Invitation.objects.get(organisation=alice)
    assert (invitation.email, invitation.role, invitation.invited_by) == (
        "new.person@example.com",
        "technical",
        staff,
    )
    assert [m.to for m in mail.outbox] == [["new.person@example.com"]]
    token = LINK.search(mail.outbox[0].body).group(1)
    assert token_hash(token) == invitation.token_hash


@pytest.mark.django_db
def test_an_invitation_the_service_refuses_is_a_form_error(tenants):
    bob_admin = tenants.bob.admin
    client = browser(staff_user(*INVITE_PERMISSIONS))
    before = rows(*ALL)

    response = client.post(
        "/admin/partners/invitation/add/",
        {"organisation": tenants.alice.organisation.pk, "email": bob_admin.email, "role": "sales"},
    )

    assert response.status_code == 200
    assert "cannot be invited" in str(response.context["adminform"].errors)
    assert rows(*ALL) == before
    assert mail.outbox == []


@pytest.mark.django_db
def test_inviting_in_the_admin_needs_the_permission(tenants):
    client = browser(staff_user("partners.view_invitation"))
    before = rows(*ALL)

    response = client.post(
        "/admin/partners/invitation/add/",
        {"organisation": tenants.alice.organisation.pk, "email": "x@example.com", "role": "sales"},
    )

    assert response.status_code == 403
    assert rows(*ALL) == before
    assert mail.outbox == []


@pytest.mark.django_db
def test_revoking_invitations_in_the_admin_goes_through_the_service(tenants):
    invitation = InvitationFactory(organisation=tenants.alice.organisation)
    data = {"action": "revoke", "_selected_action": [str(invitation.pk)]}
    viewer = browser(staff_user("partners.view_invitation"))
    revoker = browser(staff_user("partners.view_invitation", "partners.change_invitation"))

    offered_to_viewer = (
        "Revoke the selected" in viewer.get("/admin/partners/invitation/").content.decode()
    )
    viewer.post("/admin/partners/invitation/", data)
    with observer():
        invitation.refresh_from_db()
    assert not offered_to_viewer
    assert invitation.revoked_at is None

    revoker.post("/admin/partners/invitation/", data)
    with observer():
        invitation.refresh_from_db()
    assert invitation.revoked_at is not None


@pytest.mark.django_db
def test_the_invitation_admin_shows_no_token_hash(tenants):
    client = superuser()
    with observer():
        invitation = Invitation.objects.create(
            organisation=tenants.alice.organisation,
            email="someone@example.com",
            role="sales",
            token_hash="f" * 64,
            expires_at=timezone.now(),
        )
    page = client.get(f"/admin/partners/invitation/{invitation.pk}/change/")
    assert page.status_code == 200
    assert "f" * 64 not in page.content.decode()


# --- profiles --------------------------------------------------------------------------------


def _profile(tenant) -> PartnerProfile:
    with observer():
        return PartnerProfile.objects.create(
            organisation=tenant.organisation,
            display_name=tenant.organisation.name,
            description=DESCRIPTION,
            country="DE",
        )


PROFILE_PERMISSIONS = ("partners.view_partnerprofile", "partners.change_partnerprofile")


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("description", "Too short to describe anyone.", "must be 30 to 100 words"),
        ("display_name", "   ", None),
        ("website", "not a website", "full address"),
        ("territory", "x" * 201, None),
    ],
)
def test_profile_edits_in_the_admin_pass_the_partners_rules(tenants, field, value, message):
    profile = _profile(tenants.alice)
    client = browser(staff_user(*PROFILE_PERMISSIONS))
    url = f"/admin/partners/partnerprofile/{profile.pk}/change/"
    before = rows(*ALL)

    response = post_admin_form(client, url, "partnerprofile_form", **{field: value})

    assert response.status_code == 200
    errors = response.context["adminform"].form.errors
    assert field in errors, errors
    if message:
        assert message in str(errors[field])
    assert rows(*ALL) == before


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("content", "message"),
    [
        (image_bytes(120, 60), "at least 200 px wide"),
        (bomb_png(6000, 6000), "too large"),
        (b"<svg xmlns='http://www.w3.org/2000/svg'/>", "PNG or JPEG"),
    ],
)
def test_a_logo_uploaded_in_the_admin_is_checked_by_its_content(
    tenants, settings, tmp_path, content, message
):
    settings.MEDIA_ROOT = tmp_path
    profile = _profile(tenants.alice)
    client = browser(staff_user(*PROFILE_PERMISSIONS))
    url = f"/admin/partners/partnerprofile/{profile.pk}/change/"
    before = rows(*ALL)

    response = post_admin_form(client, url, "partnerprofile_form", logo=upload(content))

    assert response.status_code == 200
    assert message in str(response.context["adminform"].form.errors["logo"])
    assert rows(*ALL) == before
    assert list(tmp_path.rglob("*.png")) == []


@pytest.mark.django_db
def test_a_valid_profile_edit_is_saved_by_the_service(tenants):
    profile = _profile(tenants.alice)
    client = browser(staff_user(*PROFILE_PERMISSIONS))
    url = f"/admin/partners/partnerprofile/{profile.pk}/change/"

    response = post_admin_form(
        client, url, "partnerprofile_form", website="www.alice.example", city="Hamburg"
    )

    assert response.status_code == 302, response.context["adminform"].form.errors
    with observer():
        profile.refresh_from_db()
    assert (profile.website, profile.city) == ("https://www.alice.example", "Hamburg")


@pytest.mark.django_db
def test_editing_a_profile_needs_the_permission(tenants):
    profile = _profile(tenants.alice)
    url = f"/admin/partners/partnerprofile/{profile.pk}/change/"
    form = admin_form(superuser(), url, "partnerprofile_form")
    before = rows(*ALL)

    response = browser(staff_user("partners.view_partnerprofile")).post(
        url, {**form, "city": "Elsewhere", "_save": "Save"}
    )

    assert response.status_code == 403
    assert rows(*ALL) == before


# --- agreements ------------------------------------------------------------------------------


@pytest.mark.django_db
def test_retrying_documents_needs_the_permission(tenants):
    agreement = AgreementFactory(
        organisation=tenants.alice.organisation, pdf_status=Agreement.PdfStatus.FAILED
    )
    data = {"action": "retry_documents", "_selected_action": [str(agreement.pk)]}
    viewer = browser(staff_user("partners.view_agreement"))

    response = viewer.post("/admin/partners/agreement/", data)

    assert "retry_documents" not in response.content.decode()
    with observer():
        agreement.refresh_from_db()
    assert agreement.pdf_status == Agreement.PdfStatus.FAILED
