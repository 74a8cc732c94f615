"""Every state change of the partners services leaves one audit event, in the same
transaction (SPEC §3.13): the right action, actor, organisation and changed fields; and a
service that fails leaves none."""

from __future__ import annotations

import datetime

import pytest
from django.core.management import call_command

from partners.models import Agreement, Invitation, Membership, Organisation, Tier
from partners.services.agreements import (
    agreement_accept,
    agreement_mark_failed,
    agreement_retry_documents,
)
from partners.services.applications import (
    application_approve,
    application_reject,
    application_reply,
    application_request_info,
    application_submit,
)
from partners.services.profile import profile_update
from partners.services.programme import programme_load
from partners.services.team import (
    invitation_accept,
    invitation_create,
    invitation_revoke,
    membership_change_role,
    membership_remove,
)
from partners.services.training import certification_record, sales_training_record
from partners.tasks import render_agreement_documents
from portal.errors import Conflict, DomainError
from portal.models import AuditEvent
from tests.factories import (
    MembershipFactory,
    OrganisationFactory,
    PartnerTypeFactory,
    TierFactory,
    UserFactory,
)
from tests.partners.factories_onboarding import AgreementFactory, PartnerApplicationFactory
from tests.partners.factories_team import InvitationFactory, member_of
from tests.portal.audit_support import acting_in, events, seen

pytestmark = pytest.mark.django_db

DESCRIPTION = " ".join(["We resell and operate virtualization for hosting companies."] * 4)


@pytest.fixture
def staff():
    # A superuser: whatever named permissions the staff actions come to require.
    return UserFactory(is_staff=True, is_superuser=True, email="reviewer@vendor.example")


def only(action: str) -> AuditEvent:
    found = events(action)
    assert len(found) == 1, [e.action for e in events()]
    return found[0]


# --- applications -------------------------------------------------------------------------


def test_submitting_an_application_is_recorded_with_the_address_and_the_public_form():
    partner_type = PartnerTypeFactory()
    data = {
        "partner_type": partner_type,
        "company_name": "Fjord Systems AS",
        "country": "NO",
        "website": "https://fjord.example",
        "years_in_operation": 7,
        "contact_name": "Ingrid Berg",
        "contact_email": "ingrid@fjord.example",
        "expectations": "Resell.",
    }
    with acting_in("public:application"):
        application = application_submit(data=data, ip="198.51.100.7")

    event = only("application.submitted")
    assert event.actor is None
    assert event.actor_label == "public:application"
    assert event.organisation_id is None
    assert event.object_id == str(application.pk)
    assert event.ip == "198.51.100.7"
    assert event.after["company_name"] == "Fjord Systems AS"
    assert event.after["country"] == "NO"
    assert event.summary == "Application from Fjord Systems AS submitted"


def test_requesting_information_and_the_reply_are_recorded(staff):
    application = PartnerApplicationFactory()
    with acting_in():
        application_request_info(application=application, actor=staff, message="Which region?")
        application_reply(application=application, reply="Bavaria.")

    asked = only("application.info_requested")
    assert asked.actor == staff
    assert asked.before == {"status": "submitted", "info_request": ""}
    assert asked.after == {"status": "info_requested", "info_request": "Which region?"}
    replied = only("application.replied")
    assert replied.actor is None
    assert replied.before["status"] == "info_requested"
    assert replied.after == {"status": "submitted", "applicant_reply": "Bavaria."}


def test_rejecting_is_recorded_with_the_reason(staff):
    application = PartnerApplicationFactory(company_name="Nope Ltd")
    with acting_in():
        application_reject(application=application, actor=staff, reason="Not a fit.")

    event = only("application.rejected")
    assert (event.actor, event.organisation_id) == (staff, None)
    assert event.before == {"status": "submitted"}
    assert event.after == {"status": "rejected", "rejection_reason": "Not a fit."}
    assert event.summary == "Application from Nope Ltd rejected"


def test_approving_is_recorded_for_the_new_organisation(staff):
    application = PartnerApplicationFactory(company_name="Fjord Systems AS")
    with acting_in():
        organisation = application_approve(application=application, actor=staff)

    approved = only("application.approved")
    assert approved.actor == staff
    assert approved.organisation_id == organisation.pk
    assert approved.before == {"status": "submitted", "organisation": None}
    assert approved.after == {"status": "approved", "organisation": str(organisation.pk)}
    created = only("organisation.created")
    assert created.object_id == str(organisation.pk)
    assert created.after["status"] == "pending"
    invited = only("invitation.created")
    assert invited.organisation_id == organisation.pk
    assert invited.after["email"] == application.contact_email
    assert invited.after["role"] == "admin"


def test_a_failing_approval_leaves_no_event_and_no_change(staff):
    # Given an applicant whose contact already belongs to another partner: the invitation
    # of the first admin (the last step of the approval) is refused.
    taken = MembershipFactory().user.email
    application = PartnerApplicationFactory(contact_email=taken)

    with pytest.raises(DomainError), acting_in():
        application_approve(application=application, actor=staff)

    assert events() == []
    with seen():
        application.refresh_from_db()
        assert application.status == "submitted"
        assert not Organisation.objects.filter(name=application.company_name).exists()


# --- agreements ---------------------------------------------------------------------------


@pytest.fixture
def pending(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    organisation = OrganisationFactory(status=Organisation.Status.PENDING)
    admin = MembershipFactory(organisation=organisation, role=Membership.Role.ADMIN)
    agreement = AgreementFactory(
        organisation=organisation,
        pdf_status=Agreement.PdfStatus.PENDING,
        agreement_pdf=None,
        order_form_pdf=None,
    )
    return organisation, admin, agreement


def _task_kwargs(agreement) -> dict:
    return {"organisation_id": str(agreement.organisation_id), "agreement_id": str(agreement.pk)}


def test_rendering_is_recorded_under_the_tasks_name(pending):
    organisation, _, agreement = pending
    render_agreement_documents.apply(kwargs=_task_kwargs(agreement))

    event = only("agreement.documents_ready")
    assert event.actor is None
    assert event.actor_label == "task:partners.render_agreement_documents"
    assert event.organisation_id == organisation.pk
    assert event.before == {"pdf_status": "pending"}
    assert event.after["pdf_status"] == "ready"
    assert len(event.after["agreement_sha256"]) == 64

    render_agreement_documents.apply(kwargs=_task_kwargs(agreement))
    assert len(events("agreement.documents_ready")) == 1  # a redelivery changes nothing


def test_failed_rendering_and_the_retry_are_recorded(pending, staff):
    organisation, _, agreement = pending
    with acting_in(tenant=organisation):  # as the rendering task runs
        agreement_mark_failed(agreement_id=agreement.pk)
        agreement_mark_failed(agreement_id=agreement.pk)  # already failed: nothing new
    with acting_in():
        agreement.refresh_from_db()
        agreement_retry_documents(agreement=agreement, actor=staff)

    failed = only("agreement.documents_failed")
    assert failed.after == {"pdf_status": "failed"}
    assert failed.organisation_id == organisation.pk
    retried = only("agreement.documents_requested")
    assert retried.actor == staff
    assert (retried.before, retried.after) == ({"pdf_status": "failed"}, {"pdf_status": "pending"})


def test_signing_is_recorded_with_the_address_and_opens_the_space(pending):
    organisation, admin, agreement = pending
    Agreement.objects.filter(pk=agreement.pk).update(pdf_status=Agreement.PdfStatus.READY)
    with acting_in(tenant=organisation):
        agreement_accept(agreement=agreement, actor=admin.user, ip="203.0.113.9", name="Ada")

    signed = only("agreement.accepted")
    assert signed.actor == admin.user
    assert signed.actor_label == admin.user.email
    assert signed.ip == "203.0.113.9"
    assert signed.after["accepted_name"] == "Ada"
    activated = only("organisation.activated")
    assert activated.before == {"status": "pending", "joined_on": None}
    assert activated.after["status"] == "active"


# --- team ---------------------------------------------------------------------------------


def test_inviting_and_replacing_and_revoking_are_recorded(tenants):
    alice = tenants.alice
    with acting_in(tenant=alice.organisation):
        first = invitation_create(
            organisation=alice.organisation,
            email="new@x.example",
            role="sales",
            invited_by=alice.admin,
        )
        second = invitation_create(
            organisation=alice.organisation,
            email="new@x.example",
            role="finance",
            invited_by=alice.admin,
        )
        invitation_revoke(invitation=second, actor=alice.admin)

    created = events("invitation.created")
    assert [e.after["role"] for e in created] == ["finance", "sales"]  # newest first
    assert all(e.actor == alice.admin for e in created)
    assert all(e.organisation_id == alice.organisation.pk for e in created)
    revoked = events("invitation.revoked")
    assert [e.object_id for e in revoked] == [str(second.pk), str(first.pk)]
    assert revoked[1].summary == "Invitation to new@x.example replaced by a new one"
    assert revoked[0].summary == "Invitation to new@x.example withdrawn"
    with seen():
        token_hashes = set(Invitation.objects.values_list("token_hash", flat=True)) - {""}
    for event in events():  # the token's hash is never written to the trail
        assert not token_hashes & {str(v) for v in (*event.before.values(), *event.after.values())}
        assert "token_hash" not in event.after


def test_emailing_the_link_is_recorded_by_the_task_without_the_token(
    tenants, django_capture_on_commit_callbacks
):
    from django.core import mail

    alice = tenants.alice
    with django_capture_on_commit_callbacks(execute=True), acting_in(tenant=alice.organisation):
        invitation_create(
            organisation=alice.organisation,
            email="new@x.example",
            role="sales",
            invited_by=alice.admin,
        )

    sent = only("invitation.sent")
    assert sent.actor is None
    assert sent.actor_label.startswith("task:")
    assert sent.organisation_id == alice.organisation.pk
    token = mail.outbox[-1].body.split("/invitations/")[1].split("/")[0]
    with seen():
        stored = Invitation.objects.get(email="new@x.example").token_hash
    for event in events():
        recorded = f"{event.summary} {event.before} {event.after}"
        assert token not in recorded
        assert stored not in recorded


def test_accepting_an_invitation_is_recorded_as_the_new_member(tenants):
    invitation = InvitationFactory(
        organisation=tenants.bob.organisation, token="t-accept", role="technical"
    )
    user = UserFactory(email=invitation.email)
    membership = invitation_accept(token="t-accept", user=user)

    accepted = only("invitation.accepted")
    assert accepted.actor == user
    assert accepted.organisation_id == tenants.bob.organisation.pk
    joined = only("membership.created")
    assert joined.object_id == str(membership.pk)
    assert joined.after == {"user": user.email, "role": "technical"}
    assert joined.summary == f"{user.email} joined as Technical"


def test_a_role_change_is_recorded_with_before_and_after(tenants):
    alice = tenants.alice
    member = member_of(alice, role="sales")
    with acting_in(tenant=alice.organisation):
        membership_change_role(membership=member, role="admin", actor=alice.admin)
        membership_change_role(membership=member, role="admin", actor=alice.admin)  # no change

    event = only("membership.role_changed")
    assert event.actor == alice.admin
    assert event.organisation_id == alice.organisation.pk
    assert (event.before, event.after) == ({"role": "sales"}, {"role": "admin"})
    assert event.summary == f"{member.user.email}: role changed from Sales to Administrator"


def test_a_refused_role_change_leaves_no_event(tenants):
    alice = tenants.alice
    with pytest.raises(Conflict), acting_in(tenant=alice.organisation):
        membership_change_role(membership=alice.membership, role="sales", actor=alice.admin)
    assert events() == []


def test_removing_a_member_is_recorded_before_the_row_goes(tenants):
    alice = tenants.alice
    member = member_of(alice, role="finance")
    with acting_in(tenant=alice.organisation):
        membership_remove(membership=member, actor=alice.admin)

    event = only("membership.removed")
    assert event.object_id == str(member.pk)
    assert event.before == {"user": member.user.email, "role": "finance"}
    assert event.after == {}


# --- profile ------------------------------------------------------------------------------


def test_profile_changes_record_only_the_changed_fields(tenants):
    alice = tenants.alice
    with acting_in(tenant=alice.organisation):
        profile_update(
            organisation=alice.organisation,
            actor=alice.admin,
            data={"display_name": "Alice", "description": DESCRIPTION, "city": "Berlin"},
        )
        profile_update(
            organisation=alice.organisation,
            actor=alice.admin,
            data={"display_name": "Alice", "description": DESCRIPTION, "city": "Hamburg"},
        )
        profile_update(  # nothing changes: nothing recorded
            organisation=alice.organisation, actor=alice.admin, data={"city": "Hamburg"}
        )

    created = only("profile.created")
    assert created.after["city"] == "Berlin"
    updated = only("profile.updated")
    assert (updated.before, updated.after) == ({"city": "Berlin"}, {"city": "Hamburg"})
    assert updated.summary == "Locator profile changed: city"
    assert updated.organisation_id == alice.organisation.pk


def test_a_refused_profile_change_leaves_no_event(tenants):
    with pytest.raises(DomainError), acting_in(tenant=tenants.alice.organisation):
        profile_update(
            organisation=tenants.alice.organisation,
            actor=tenants.alice.admin,
            data={"display_name": "Alice", "description": "Too short."},
        )
    assert events() == []


# --- training -----------------------------------------------------------------------------


def test_training_and_certifications_are_recorded_and_corrections_show_what_changed(tenants, staff):
    alice = tenants.alice
    with acting_in():
        training = sales_training_record(
            actor=staff,
            organisation=alice.organisation,
            membership=alice.membership,
            attended_on=datetime.date(2026, 3, 2),
        )
        sales_training_record(
            actor=staff,
            organisation=alice.organisation,
            membership=alice.membership,
            attended_on=datetime.date(2026, 3, 3),
            training=training,
        )
        certification_record(
            actor=staff,
            organisation=alice.organisation,
            membership=alice.membership,
            name="XCP-ng Certified",
            obtained_on=datetime.date(2026, 1, 1),
        )

    recorded = only("training.recorded")
    assert recorded.actor == staff
    assert recorded.organisation_id == alice.organisation.pk
    assert recorded.after["attended_on"] == "2026-03-02"
    corrected = only("training.corrected")
    assert corrected.before == {"attended_on": "2026-03-02"}
    assert corrected.after == {"attended_on": "2026-03-03"}
    certified = only("certification.recorded")
    assert certified.after["name"] == "XCP-ng Certified"


# --- programme rules ----------------------------------------------------------------------


def test_loading_a_programme_records_the_rules_that_changed():
    call_command("load_programme", "vates", stdout=None)
    created = only("programme.created")
    assert created.actor_label == "command:load_programme"
    assert created.organisation_id is None

    call_command("load_programme", "vates", stdout=None)  # unchanged: nothing recorded
    assert len(events()) == 1

    with seen():
        tier = Tier.objects.get(
            partner_type__programme__code="vates", partner_type__code="reseller", level=3
        )
        old = tier.min_pes
        Tier.objects.filter(pk=tier.pk).update(min_pes=old + 5)
        programme_load(code="vates")
    loaded = only("programme.loaded")
    key = "type.reseller.tier.3.min_pes"
    assert loaded.before == {key: old + 5}
    assert loaded.after == {key: old}
    assert loaded.actor_label == "test:observer"


# --- organisations (the channel team's edits) ---------------------------------------------


def test_an_organisation_edit_records_the_changed_fields_and_says_what_changed(tenants, staff):
    from partners.services.organisations import organisation_update

    alice = tenants.alice.organisation
    with acting_in():
        organisation_update(
            organisation=alice,
            changes={"website": "https://alice.example", "status": "suspended", "name": alice.name},
            actor=staff,
        )

    event = only("organisation.changed")
    assert event.actor == staff
    assert event.organisation_id == alice.pk
    assert event.before == {"website": alice.website, "status": "active"}
    assert event.after == {"website": "https://alice.example", "status": "suspended"}
    assert "status changed from Active to Suspended" in event.summary


def test_an_organisation_edit_refuses_the_type_and_tier(tenants, staff):
    # They change with a reason and a TierChange (pes.services.tiers).
    from partners.services.organisations import organisation_update

    alice = tenants.alice.organisation
    tier_2 = TierFactory(partner_type=alice.partner_type, level=2)
    with acting_in(), pytest.raises(DomainError) as refused:
        organisation_update(organisation=alice, changes={"tier": tier_2}, actor=staff)

    assert refused.value.code == "not_editable"
    with acting_in():
        alice.refresh_from_db()
    assert alice.tier_id != tier_2.pk
