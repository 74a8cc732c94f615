"""Trials / PoCs (issue 8, SPEC §3.7): free, 30 days, for a named prospect; the partner
extends up to 90 days in total; beyond, a request with project details goes to staff."""

from __future__ import annotations

import datetime

import pytest
from django.core import mail
from django.utils import timezone

from licensing.models import Licence, LicenceEvent, Trial, TrialExtensionRequest
from licensing.selectors.trials import customer_sales_licences, extension_queue_counts
from licensing.services.licences import term_days
from licensing.services.trials import trial_extension_approve, trial_extension_reject
from portal.errors import Forbidden
from portal.models import AuditEvent
from tests.factories import MembershipFactory, UserFactory
from tests.licensing.factories import issue_licence
from tests.licensing.factories_trials import extension_request, issue_trial
from tests.licensing.support_trials import partner_of, reviewer
from tests.routes.harness import token_client
from tests.tenancy_support import observer

pytestmark = pytest.mark.django_db

REVIEW = ("licensing.view_trialextensionrequest", "licensing.review_trial_extension")


@pytest.fixture
def bluepeak():
    return partner_of("vates", "reseller", name="Bluepeak IT")


def _day(days: int) -> str:
    return (timezone.localdate() + datetime.timedelta(days=days)).isoformat()


def _ends_on(licence: Licence, total_days: int) -> str:
    """The last day of a term of ``total_days`` (both ends included)."""
    return (licence.starts_on + datetime.timedelta(days=total_days - 1)).isoformat()


def _total(licence: Licence) -> int:
    return term_days(licence.starts_on, licence.ends_on)


def _fresh(licence: Licence) -> Licence:
    with observer():
        return Licence.objects.get(pk=licence.pk)


# --- requesting a trial -----------------------------------------------------------------


def test_a_partner_requests_a_free_thirty_day_trial_for_a_prospect(bluepeak):
    response = bluepeak.api().post(
        "/api/v1/trials",
        {
            "product": "pro",
            "quantity": 4,
            "prospect_name": "Clinique du Parc",
            "prospect_email": "it@clinique.example",
            "project": "VMware exit",
        },
        format="json",
    )

    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["product"], body["quantity"], body["prospect_name"]) == (
        "pro",
        4,
        "Clinique du Parc",
    )
    assert body["days_left"] == 29  # after today, its first day
    assert body["total_days"] == 30
    assert body["max_ends_on"] == _day(89)
    with observer():
        licence = Licence.objects.get(pk=body["id"])
        trial = Trial.objects.get(licence=licence)
        events = list(licence.events.values_list("kind", flat=True))
    assert licence.kind == "trial"
    assert licence.plan is None  # free: no price
    assert licence.status == "unbound"
    assert licence.organisation_id == bluepeak.organisation.pk
    assert _total(licence) == 30
    assert (trial.prospect_email, trial.project, trial.requested_by) == (
        "it@clinique.example",
        "VMware exit",
        bluepeak.admin,
    )
    assert events == ["created"]
    # Trials never count as customer sales.
    assert not customer_sales_licences().filter(pk=licence.pk).exists()


def test_customer_sales_are_customer_licences_only(bluepeak):
    sold = issue_licence(bluepeak.organisation)
    trial = issue_trial(bluepeak)
    nfr = issue_licence(bluepeak.organisation, kind="nfr")
    with observer():
        sales = set(customer_sales_licences().values_list("pk", flat=True))
    assert sold.pk in sales
    assert trial.pk not in sales
    assert nfr.pk not in sales


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"product": "no-such", "quantity": 3, "prospect_name": "X"}, "product"),
        ({"product": "pro", "quantity": 1, "prospect_name": "X"}, "quantity"),  # Pro: min 3
        ({"product": "pro", "quantity": 3, "prospect_name": "  "}, "prospect_name"),
        (
            {"product": "pro", "quantity": 3, "prospect_name": "X", "prospect_email": "nope"},
            "prospect_email",
        ),
    ],
)
def test_a_bad_trial_request_names_its_field(bluepeak, data, field):
    response = bluepeak.api().post("/api/v1/trials", data, format="json")
    assert response.status_code == 400, response.content
    assert field in response.json()["fields"]
    with observer():
        assert not Licence.objects.exists()


def test_finance_members_read_trials_but_do_not_request_them(bluepeak):
    issue_trial(bluepeak)
    finance = MembershipFactory(organisation=bluepeak.organisation, role="finance").user
    client = token_client(finance)
    listed = client.get("/api/v1/trials")
    refused = client.post(
        "/api/v1/trials", {"product": "pro", "quantity": 3, "prospect_name": "X"}, format="json"
    )
    assert listed.status_code == 200
    assert listed.json()["count"] == 1
    assert refused.status_code == 403


# --- the extension rule: 30, 90 and 91 days in total -------------------------------------


def test_a_trial_of_thirty_days_is_extended_to_ninety_by_the_partner(bluepeak):
    # Given a fresh trial: 30 days in total, the programme's trial length
    trial = issue_trial(bluepeak, actor=bluepeak.admin)
    assert _total(trial) == 30
    client = bluepeak.api()

    # When the partner extends it to exactly 90 days in total
    response = client.post(
        f"/api/v1/trials/{trial.pk}/extend", {"ends_on": _ends_on(trial, 90)}, format="json"
    )

    # Then it runs 90 days, with an "extended" event and its audit record
    assert response.status_code == 200, response.content
    assert response.json()["total_days"] == 90
    licence = _fresh(trial)
    assert _total(licence) == 90
    with observer():
        event = licence.events.get(kind=LicenceEvent.Kind.EXTENDED)
        audited = AuditEvent.objects.filter(action="licence.extended", object_id=str(trial.pk))
        assert audited.count() == 1
    assert event.detail["by"] == "partner"
    assert event.actor == bluepeak.admin


def test_extending_to_thirty_days_in_total_is_within_the_rule(bluepeak):
    # A programme with 14-day trials: the partner extends to 30 days in total.
    programme = bluepeak.organisation.partner_type.programme
    with observer():
        programme.trial_days = 14
        programme.save(update_fields=["trial_days"])
    trial = issue_trial(bluepeak)
    assert _total(trial) == 14

    response = bluepeak.api().post(
        f"/api/v1/trials/{trial.pk}/extend", {"ends_on": _ends_on(trial, 30)}, format="json"
    )

    assert response.status_code == 200, response.content
    assert response.json()["total_days"] == 30


def test_ninety_one_days_in_total_needs_an_extension_request(bluepeak):
    trial = issue_trial(bluepeak)

    response = bluepeak.api().post(
        f"/api/v1/trials/{trial.pk}/extend", {"ends_on": _ends_on(trial, 91)}, format="json"
    )

    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "extension_request_needed"
    assert f"/api/v1/trials/{trial.pk}/extension-requests" in body["detail"]
    assert "90 days" in body["detail"]
    assert _fresh(trial).ends_on == trial.ends_on


def test_a_trial_is_extended_in_steps_but_never_past_ninety_days_by_the_partner(bluepeak):
    trial = issue_trial(bluepeak)
    client = bluepeak.api()
    url = f"/api/v1/trials/{trial.pk}/extend"
    assert client.post(url, {"ends_on": _ends_on(trial, 60)}, format="json").status_code == 200
    assert client.post(url, {"ends_on": _ends_on(trial, 90)}, format="json").status_code == 200
    again = client.post(url, {"ends_on": _ends_on(trial, 90)}, format="json")
    beyond = client.post(url, {"ends_on": _ends_on(trial, 91)}, format="json")
    assert (again.status_code, again.json()["code"]) == (400, "not_later")
    assert (beyond.status_code, beyond.json()["code"]) == (400, "extension_request_needed")


def test_an_ended_trial_is_not_extended(bluepeak):
    trial = issue_trial(bluepeak, days_ago=30)  # its 30th day was yesterday
    response = bluepeak.api().post(
        f"/api/v1/trials/{trial.pk}/extend", {"ends_on": _ends_on(trial, 60)}, format="json"
    )
    assert (response.status_code, response.json()["code"]) == (409, "trial_ended")


# --- beyond 90 days: the channel team decides ---------------------------------------------


def test_an_extension_request_beyond_ninety_days_goes_to_the_channel_team(
    bluepeak, django_capture_on_commit_callbacks
):
    # Given a trial and its partner's request for 91 days in total
    trial = issue_trial(bluepeak)
    client = bluepeak.api()
    url = f"/api/v1/trials/{trial.pk}/extension-requests"
    within = client.post(
        url, {"ends_on": _ends_on(trial, 90), "project_details": "x"}, format="json"
    )
    missing = client.post(url, {"ends_on": _ends_on(trial, 91)}, format="json")
    response = client.post(
        url,
        {"ends_on": _ends_on(trial, 91), "project_details": "Two clusters, three waves."},
        format="json",
    )
    twice = client.post(
        url, {"ends_on": _ends_on(trial, 100), "project_details": "Again."}, format="json"
    )

    assert (within.status_code, within.json()["code"]) == (400, "extend_directly")
    assert missing.status_code == 400
    assert "project_details" in missing.json()["fields"]
    assert response.status_code == 201, response.content
    assert response.json()["status"] == "pending"
    assert (twice.status_code, twice.json()["code"]) == (409, "extension_request_pending")
    assert extension_queue_counts().waiting == 1
    detail = client.get(f"/api/v1/trials/{trial.pk}").json()
    assert [r["status"] for r in detail["extension_requests"]] == ["pending"]

    # When a reviewer approves it through the staff API
    staff = reviewer(*REVIEW)
    staff_client = type(client)()
    staff_client.force_login(staff)
    queue = staff_client.get("/api/v1/staff/trial-extensions?status=pending")
    assert [r["id"] for r in queue.json()] == [response.json()["id"]]
    assert queue.json()[0]["total_days"] == 91
    with django_capture_on_commit_callbacks(execute=True):
        approved = staff_client.post(
            f"/api/v1/staff/trial-extensions/{response.json()['id']}/approve", {}, format="json"
        )

    # Then the trial runs 91 days, the partner is emailed, the queue is empty
    assert approved.status_code == 200, approved.content
    assert approved.json()["status"] == "approved"
    licence = _fresh(trial)
    assert _total(licence) == 91
    assert extension_queue_counts().waiting == 0
    assert [m.to for m in mail.outbox] == [[bluepeak.admin.email]]
    assert "Trial extended until" in mail.outbox[0].subject
    assert "Bluepeak IT" in mail.outbox[0].body
    with observer():
        event = licence.events.get(kind=LicenceEvent.Kind.EXTENDED)
    assert event.detail["by"] == "channel team"
    assert event.actor == staff


def test_a_rejected_extension_leaves_the_trial_and_tells_the_partner_why(
    bluepeak, django_capture_on_commit_callbacks
):
    trial = issue_trial(bluepeak)
    request = extension_request(trial, days=120, requested_by=bluepeak.admin)
    staff = reviewer(*REVIEW)

    with observer(), django_capture_on_commit_callbacks(execute=True):
        trial_extension_reject(actor=staff, request=request, reason="Order Pro instead.")

    assert _fresh(trial).ends_on == trial.ends_on
    with observer():
        request.refresh_from_db()
    assert (request.status, request.decided_by, request.decision_reason) == (
        "rejected",
        staff,
        "Order Pro instead.",
    )
    assert [m.to for m in mail.outbox] == [[bluepeak.admin.email]]
    assert "Order Pro instead." in mail.outbox[0].body


def test_deciding_needs_the_review_permission(bluepeak):
    trial = issue_trial(bluepeak)
    request = extension_request(trial)
    reader = reviewer("licensing.view_trialextensionrequest")
    client = bluepeak.api()
    client.credentials()
    client.force_login(reader)

    listed = client.get("/api/v1/staff/trial-extensions")
    refused = [
        client.post(f"/api/v1/staff/trial-extensions/{request.pk}/approve", {}, format="json"),
        client.post(
            f"/api/v1/staff/trial-extensions/{request.pk}/reject", {"reason": "No"}, format="json"
        ),
    ]
    assert listed.status_code == 200
    assert [r.status_code for r in refused] == [403, 403]
    with observer(), pytest.raises(Forbidden):
        trial_extension_approve(actor=reader, request=request)
    with observer(), pytest.raises(Forbidden):
        trial_extension_approve(actor=bluepeak.admin, request=request)  # a partner
    assert _fresh(trial).ends_on == trial.ends_on


def test_a_request_is_decided_once(bluepeak):
    trial = issue_trial(bluepeak)
    request = extension_request(trial)
    staff = reviewer(*REVIEW)
    with observer():
        trial_extension_approve(actor=staff, request=request)
    client = type(bluepeak.api())()
    client.force_login(staff)
    again = client.post(
        f"/api/v1/staff/trial-extensions/{request.pk}/reject", {"reason": "No"}, format="json"
    )
    assert (again.status_code, again.json()["code"]) == (409, "already_decided")


def test_approving_a_request_revives_a_trial_that_expired_while_it_waited(bluepeak):
    from licensing.services.expiry import licences_expire

    trial = issue_trial(bluepeak, days_ago=25)
    request = extension_request(trial, days=120)
    with observer():
        licences_expire(today=timezone.localdate() + datetime.timedelta(days=10))
    assert _fresh(trial).status == "expired"

    with observer():
        trial_extension_approve(actor=reviewer(*REVIEW), request=request)

    licence = _fresh(trial)
    assert licence.status == "unbound"  # as it was before it expired
    assert (licence.ends_on - licence.starts_on).days == 120


def test_the_admin_queue_lists_requests_with_their_age_and_decides(
    bluepeak, client, django_capture_on_commit_callbacks
):
    trial = issue_trial(bluepeak)
    request = extension_request(trial, days=100, requested_by=bluepeak.admin)
    with observer():
        TrialExtensionRequest.objects.filter(pk=request.pk).update(
            created_at=timezone.now() - datetime.timedelta(days=5)
        )
    client.force_login(reviewer(*REVIEW))

    home = client.get("/admin/")
    changelist = client.get("/admin/licensing/trialextensionrequest/")
    change = client.get(f"/admin/licensing/trialextensionrequest/{request.pk}/change/")
    with django_capture_on_commit_callbacks(execute=True):
        decided = client.post(
            f"/admin/licensing/trialextensionrequest/{request.pk}/reject/",
            {"text": "Not for this project."},
        )

    assert "Trial extensions" in home.content.decode()
    assert "1 late" in home.content.decode()
    assert "5 of 3 days" in changelist.content.decode()
    assert "Clinique" not in changelist.content.decode()
    assert "Prospect AG" in changelist.content.decode()
    assert "Approve" in change.content.decode()
    assert decided.status_code == 302
    with observer():
        request.refresh_from_db()
    assert request.status == "rejected"
    assert "Not for this project." in mail.outbox[0].body


# --- the pages ----------------------------------------------------------------------------


def test_the_trials_page_lists_days_left_and_requests_a_trial(bluepeak):
    issue_trial(bluepeak, prospect_name="Hafen Logistik", days_ago=24)
    browser = bluepeak.browser()

    page = browser.get("/space/trials/")
    created = browser.post(
        "/space/trials/",
        {"product": "essential", "quantity": "2", "prospect_name": "Clinique du Parc"},
    )
    invalid = browser.post("/space/trials/", {"product": "pro", "quantity": "1"})

    html = page.content.decode()
    assert "Hafen Logistik" in html
    assert "5 days left" in html
    assert created.status_code == 302
    with observer():
        assert Licence.objects.filter(customer_name="Clinique du Parc", kind="trial").exists()
    assert invalid.status_code == 400
    assert "this field is required" in invalid.content.decode().lower()


def test_the_trial_page_extends_and_sends_extension_requests(bluepeak):
    trial = issue_trial(bluepeak)
    browser = bluepeak.browser()
    url = f"/space/trials/{trial.pk}/"

    shown = browser.get(url)
    beyond = browser.post(url, {"action": "extend", "ends_on": _ends_on(trial, 91)})
    extended = browser.post(url, {"action": "extend", "ends_on": _ends_on(trial, 90)})
    requested = browser.post(
        url,
        {
            "action": "extension_request",
            "ends_on": _ends_on(trial, 150),
            "project_details": "Migration in three waves.",
        },
    )
    after = browser.get(url)

    assert "Extend trial" in shown.content.decode()
    assert beyond.status_code == 400
    assert "extension request" in beyond.content.decode()
    assert extended.status_code == 302
    assert requested.status_code == 302
    html = after.content.decode()
    assert "Awaiting review" in html
    assert "Extend trial" not in html  # 90 days reached
    with observer():
        assert TrialExtensionRequest.objects.filter(licence=trial, status="pending").count() == 1


def test_another_partners_trial_is_not_found(bluepeak):
    other = partner_of("vates", "msp", name="Other MSP")
    trial = issue_trial(other)
    assert bluepeak.browser().get(f"/space/trials/{trial.pk}/").status_code == 404
    assert bluepeak.api().get(f"/api/v1/trials/{trial.pk}").status_code == 404
    assert UserFactory()  # the other partner's data stayed its own
