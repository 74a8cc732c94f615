"""Issue 9: the channel team reviews deal registrations (staff API and admin): approve,
reject with a reason, ask for information (the partner answers; it returns to review),
extend; a beat job reminds the partner a week before the protection ends and then expires
it. The partner is emailed at each step; the review queue on the admin home shows each
registration's age against the programme's review time."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.contrib.auth.models import Group
from django.core import mail
from django.test import Client
from django.utils import timezone

from deals.models import Deal
from deals.selectors.registrations import deal_queue_counts
from deals.tasks import expire_registrations
from portal.models import AuditEvent
from portal.staff_groups import CHANNEL_FINANCE, CHANNEL_REVIEWER
from tests.deals.factories import make_deal, payload, product_for
from tests.factories import UserFactory, staff_user
from tests.tenancy_support import observer

API = "/api/v1/deals"


def _staff_client(*permissions) -> Client:
    client = Client()
    client.force_login(staff_user(*permissions))
    return client


def _reviewer() -> Client:
    return _staff_client("deals.review_deal")


def _mails_to(address: str) -> list:
    return [m for m in mail.outbox if m.to == [address]]


def _reload(deal: Deal) -> Deal:
    with observer():
        return Deal.objects.get(pk=deal.pk)


def _set(deal: Deal, **values) -> None:
    with observer():
        Deal.objects.filter(pk=deal.pk).update(**values)


def _run_expiry() -> dict:
    """The beat job, run as beat runs it (in its own system context)."""
    result = expire_registrations.apply()
    assert result.successful(), result.traceback
    return result.result


# --- the whole cycle, as in production (each request commits) ---------------------------------


@pytest.mark.django_db(transaction=True)
def test_the_review_cycle_with_a_question_approval_reminder_and_expiry(tenants_committed):
    alice = tenants_committed.alice
    product_for(alice.organisation)
    partner = alice.api()
    reviewer = _reviewer()
    inbox = alice.admin.email

    # Given alice registers a deal: she gets a receipt, the channel team a notice
    created = partner.post(API, payload(), format="json")
    assert created.status_code == 201, created.content
    deal_id, reference = created.json()["id"], created.json()["reference"]
    assert [m.subject for m in _mails_to(inbox)] == [
        f"Deal registration {reference} received: Acme Logistik GmbH"
    ]
    assert len(_mails_to("channel-team@vendor.example")) == 1

    # When the channel team asks a question
    asked = reviewer.post(
        f"{API}/{deal_id}/request-info",
        {"question": "How many hosts, and who runs the pilot?"},
        content_type="application/json",
    )
    # Then the registration waits for alice, who is emailed the question
    assert asked.status_code == 200, asked.content
    assert asked.json()["status"] == "more_info_requested"
    question = _mails_to(inbox)[-1]
    assert "we need more information" in question.subject
    assert "How many hosts, and who runs the pilot?" in question.body
    assert f"/space/deals/{deal_id}/" in question.body

    # When alice answers, it is back in the queue and the channel team is told
    answered = partner.post(
        f"{API}/{deal_id}/answer", {"answer": "40 hosts; we run it."}, format="json"
    )
    assert answered.status_code == 200, answered.content
    assert answered.json()["status"] == "submitted"
    assert [e["kind"] for e in answered.json()["history"]] == ["submitted", "question", "answer"]
    assert "answered your question" in _mails_to("channel-team@vendor.example")[-1].subject

    # When the channel team approves it
    approved = reviewer.post(f"{API}/{deal_id}/approve", content_type="application/json")
    assert approved.status_code == 200, approved.content
    protected_until = timezone.localdate() + timedelta(days=90)  # the programme's window
    assert approved.json()["protected_until"] == protected_until.isoformat()
    assert approved.json()["organisation_name"] == alice.organisation.name  # staff see it
    mail_approved = _mails_to(inbox)[-1]
    assert "approved" in mail_approved.subject
    assert protected_until.strftime("%-d %b %Y") in mail_approved.body

    # When the beat job runs while the protection has more than a week left: nothing
    deal = Deal.objects.get(pk=deal_id)
    sent = len(mail.outbox)
    assert _run_expiry() == {"expired": 0, "reminded": 0}
    assert len(mail.outbox) == sent

    # When it runs with five days left: alice is reminded, once
    _set(deal, protected_until=timezone.localdate() + timedelta(days=5))
    assert _run_expiry() == {"expired": 0, "reminded": 1}
    assert _run_expiry() == {"expired": 0, "reminded": 0}
    reminder = _mails_to(inbox)[-1]
    assert reminder.subject.startswith(f"Deal registration {reference} expires on")

    # When the protection has ended: expired, alice is told, the opportunity is free
    _set(deal, protected_until=timezone.localdate() - timedelta(days=1))
    assert _run_expiry() == {"expired": 1, "reminded": 0}
    assert _reload(deal).status == Deal.Status.EXPIRED
    assert "expired" in _mails_to(inbox)[-1].subject
    kinds = [e["kind"] for e in partner.get(f"{API}/{deal_id}").json()["history"]]
    assert kinds == ["submitted", "question", "answer", "approved", "reminded", "expired"]
    assert [m.subject.split(":")[0] for m in _mails_to(inbox)] == [
        f"Deal registration {reference} received",
        f"Deal registration {reference}",
        f"Deal registration {reference} approved",
        _mails_to(inbox)[3].subject.split(":")[0],
        f"Deal registration {reference} expired",
    ]
    bob = tenants_committed.bob.api()
    assert bob.post(API, payload(), format="json").json()["status"] == "submitted"
    with observer():
        actions = set(AuditEvent.objects.filter(object_id=deal_id).values_list("action", flat=True))
    assert actions == {
        "deal.submitted",
        "deal.info_requested",
        "deal.answered",
        "deal.approved",
        "deal.expiry_reminded",
        "deal.expired",
    }


# --- decisions ------------------------------------------------------------------------------


def test_rejection_needs_a_reason_and_emails_it(tenants, django_capture_on_commit_callbacks):
    deal = make_deal(tenants.alice.organisation, submitted_by=tenants.alice.admin)
    reviewer = _reviewer()
    empty = reviewer.post(
        f"{API}/{deal.pk}/reject", {"reason": "  "}, content_type="application/json"
    )
    assert empty.status_code == 400
    assert "reason" in empty.json()["fields"]
    with django_capture_on_commit_callbacks(execute=True):
        rejected = reviewer.post(
            f"{API}/{deal.pk}/reject",
            {"reason": "The customer buys directly from us."},
            content_type="application/json",
        )
    assert rejected.json()["status"] == "rejected"
    (message,) = _mails_to(tenants.alice.admin.email)
    assert "not approved" in message.subject
    assert "The customer buys directly from us." in message.body
    again = reviewer.post(f"{API}/{deal.pk}/approve", content_type="application/json")
    assert (again.status_code, again.json()["code"]) == (409, "deal_closed")


def test_extending_moves_the_end_and_reminds_again(tenants, django_capture_on_commit_callbacks):
    deal = make_deal(tenants.alice.organisation, status=Deal.Status.APPROVED)
    end = timezone.localdate() + timedelta(days=3)
    _set(deal, protected_until=end, expiry_reminder_sent_at=timezone.now())
    reviewer = _reviewer()
    assert (
        reviewer.post(
            f"{API}/{deal.pk}/extend", {"days": 0}, content_type="application/json"
        ).status_code
        == 400
    )
    with django_capture_on_commit_callbacks(execute=True):
        extended = reviewer.post(
            f"{API}/{deal.pk}/extend", {"days": 30}, content_type="application/json"
        )
    assert extended.status_code == 200, extended.content
    assert extended.json()["protected_until"] == (end + timedelta(days=30)).isoformat()
    assert _reload(deal).expiry_reminder_sent_at is None
    assert "protection extended" in _mails_to(tenants.alice.admin.email)[-1].subject
    submitted = make_deal(tenants.alice.organisation)
    refused = reviewer.post(
        f"{API}/{submitted.pk}/extend", {"days": 5}, content_type="application/json"
    )
    assert refused.status_code == 409


def test_approving_flags_the_other_partners_waiting_registrations_in_conflict(
    tenants, django_capture_on_commit_callbacks
):
    # Given alice and bob both registered the same opportunity, neither approved yet
    product = product_for(tenants.alice.organisation)
    alices = make_deal(
        tenants.alice.organisation,
        domain="acme.example",
        product=product,
        customer_name="Alice's Acme",
    )
    bobs = make_deal(tenants.bob.organisation, domain="acme.example", product=product)
    # When the channel team approves alice's
    with django_capture_on_commit_callbacks(execute=True):
        assert _reviewer().post(f"{API}/{alices.pk}/approve").status_code == 200
    # Then bob's is in conflict, and bob is told so without a word about alice
    assert _reload(bobs).status == Deal.Status.CONFLICT
    (message,) = _mails_to(tenants.bob.admin.email)
    assert "in conflict" in message.subject
    for trace in (alices.reference, "Alice", str(tenants.alice.organisation.pk)):
        assert trace not in message.subject + message.body
    # And bob's cannot be approved while alice's holds: the channel team is told by whom
    held = _reviewer().post(f"{API}/{bobs.pk}/approve")
    assert held.status_code == 409
    assert alices.reference in held.json()["detail"]
    assert _reload(bobs).status == Deal.Status.CONFLICT
    # Once alice's is won, the opportunity is free again and bob's may be approved
    _set(alices, status=Deal.Status.WON)
    assert _reviewer().post(f"{API}/{bobs.pk}/approve").status_code == 200


def test_decisions_need_the_review_permission(tenants):
    deal = make_deal(tenants.alice.organisation)
    reader = _staff_client("deals.view_deal")
    for action, body in (
        ("approve", {}),
        ("reject", {"reason": "x"}),
        ("request-info", {"question": "x"}),
        ("extend", {"days": 3}),
    ):
        response = reader.post(f"{API}/{deal.pk}/{action}", body, content_type="application/json")
        assert response.status_code == 403, action
        partner = tenants.alice.api().post(f"{API}/{deal.pk}/{action}", body, format="json")
        assert partner.status_code == 403, action
    assert _reload(deal).status == Deal.Status.SUBMITTED
    missing = _reviewer().post(f"{API}/00000000-0000-4000-8000-000000000000/approve")
    assert missing.status_code == 404


def test_the_staff_api_needs_mfa_wherever_it_is_mounted(tenants, settings):
    settings.MFA_REQUIRED_FOR_STAFF = True
    deal = make_deal(tenants.alice.organisation)
    response = _reviewer().post(f"{API}/{deal.pk}/approve")
    assert (response.status_code, response.json()["code"]) == (403, "mfa_required")
    assert _reload(deal).status == Deal.Status.SUBMITTED
    # Partners are not asked for it on their own routes.
    assert tenants.alice.api().get(API).status_code == 200


def test_the_groups_hold_the_deal_permissions(db):
    reviewer = UserFactory(is_staff=True)
    reviewer.groups.add(Group.objects.get(name=CHANNEL_REVIEWER))
    finance = UserFactory(is_staff=True)
    finance.groups.add(Group.objects.get(name=CHANNEL_FINANCE))
    assert reviewer.has_perm("deals.review_deal")
    assert finance.has_perm("deals.view_deal")
    assert not finance.has_perm("deals.review_deal")


# --- the review queue in the admin -----------------------------------------------------------


def test_the_admin_home_shows_the_deal_queue_with_what_is_late(tenants):
    late = make_deal(tenants.alice.organisation)
    _set(late, review_since=timezone.now() - timedelta(days=3))  # review time: 2 days
    make_deal(tenants.bob.organisation, status=Deal.Status.CONFLICT)
    make_deal(tenants.bob.organisation, status=Deal.Status.MORE_INFO_REQUESTED)  # partner's turn
    make_deal(tenants.bob.organisation, status=Deal.Status.APPROVED)
    counts = deal_queue_counts()
    assert (counts.waiting, counts.late) == (2, 1)

    reviewer = UserFactory(is_staff=True)
    reviewer.groups.add(Group.objects.get(name=CHANNEL_REVIEWER))
    client = Client()
    client.force_login(reviewer)
    home = client.get("/admin/").content.decode()
    assert "Deal registrations" in home
    assert "/admin/deals/deal/?status=waiting&amp;late=yes" in home
    queue = client.get("/admin/deals/deal/?status=waiting&late=yes").content.decode()
    assert late.reference in queue
    assert "3 of 2 days" in queue


def test_the_admin_decides_through_the_services(tenants, django_capture_on_commit_callbacks):
    holder = make_deal(
        tenants.alice.organisation, status=Deal.Status.APPROVED, domain="acme.example"
    )
    waiting = make_deal(
        tenants.bob.organisation,
        domain="acme.example",
        product=holder.product,
        status=Deal.Status.CONFLICT,
    )
    other = make_deal(tenants.charlie.organisation)
    reviewer = UserFactory(is_staff=True)
    reviewer.groups.add(Group.objects.get(name=CHANNEL_REVIEWER))
    client = Client()
    client.force_login(reviewer)
    base = "/admin/deals/deal"

    # The change page offers the decisions and names the holder to the channel team
    page = client.get(f"{base}/{waiting.pk}/change/").content.decode()
    assert f"{base}/{waiting.pk}/approve/" in page
    assert holder.reference in page
    # Approving a held opportunity is refused with the reason
    response = client.post(f"{base}/{waiting.pk}/approve/", follow=True)
    assert holder.reference in response.content.decode()
    assert _reload(waiting).status == Deal.Status.CONFLICT
    # Asking, rejecting, extending go through the services (and email the partner)
    with django_capture_on_commit_callbacks(execute=True):
        assert (
            client.post(f"{base}/{other.pk}/request-info/", {"text": "Which sites?"}).status_code
            == 302
        )
        assert (
            client.post(
                f"{base}/{waiting.pk}/reject/", {"text": "Held by another partner."}
            ).status_code
            == 302
        )
        assert client.post(f"{base}/{holder.pk}/extend/", {"days": "10"}).status_code == 302
    assert _reload(other).status == Deal.Status.MORE_INFO_REQUESTED
    assert _reload(waiting).status == Deal.Status.REJECTED
    assert _reload(holder).protected_until == holder.protected_until + timedelta(days=10)
    assert len(mail.outbox) == 3
    # The bulk action approves what may be approved
    fresh = make_deal(tenants.charlie.organisation)
    client.post(
        f"{base}/?status=all", {"action": "approve_selected", "_selected_action": [str(fresh.pk)]}
    )
    assert _reload(fresh).status == Deal.Status.APPROVED


def test_readers_get_no_decisions_in_the_admin(tenants):
    deal = make_deal(tenants.alice.organisation)
    finance = UserFactory(is_staff=True)
    finance.groups.add(Group.objects.get(name=CHANNEL_FINANCE))
    client = Client()
    client.force_login(finance)
    page = client.get(f"/admin/deals/deal/{deal.pk}/change/")
    assert page.status_code == 200
    assert f"/admin/deals/deal/{deal.pk}/approve/" not in page.content.decode()
    assert client.post(f"/admin/deals/deal/{deal.pk}/approve/").status_code == 403
    assert _reload(deal).status == Deal.Status.SUBMITTED
