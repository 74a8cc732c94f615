"""Partner evaluation licences (issue 8, SPEC §3.7; Mattermost's Partner Evaluation
License): value-added resellers and system integrators request a renewable one-year
licence for up to 50 users; staff review; delivered by email."""

from __future__ import annotations

import datetime

import pytest
from django.core import mail
from django.utils import timezone
from rest_framework.test import APIClient

from licensing.models import EvaluationLicenceRequest, Licence, LicenceEvent
from licensing.selectors.evaluation import evaluation_queue_counts
from licensing.services.evaluation import evaluation_approve
from portal.errors import Forbidden
from tests.licensing.factories import issue_licence
from tests.licensing.factories_trials import evaluation_request
from tests.licensing.support_trials import partner_of, reviewer
from tests.tenancy_support import observer

pytestmark = pytest.mark.django_db

REVIEW = ("licensing.view_evaluationlicencerequest", "licensing.review_evaluation_licence")


@pytest.fixture
def var():
    return partner_of("mattermost", "value_added_reseller", name="Chatter VAR")


def _staff_client(*permissions) -> APIClient:
    client = APIClient()
    client.force_login(reviewer(*permissions))
    return client


def _licences(tenant) -> list[Licence]:
    with observer():
        return list(
            Licence.objects.filter(organisation=tenant.organisation, kind="evaluation").order_by(
                "starts_on"
            )
        )


def test_a_var_requests_an_evaluation_licence_and_staff_approve_it(
    var, django_capture_on_commit_callbacks
):
    # Given the VAR's request for 50 users
    client = var.api()
    too_many = client.post(
        "/api/v1/evaluation-licences", {"users": 51, "purpose": "Demos"}, format="json"
    )
    response = client.post(
        "/api/v1/evaluation-licences",
        {"users": 50, "purpose": "Demonstrations for prospects"},
        format="json",
    )
    twice = client.post(
        "/api/v1/evaluation-licences", {"users": 10, "purpose": "Again"}, format="json"
    )
    assert (too_many.status_code, too_many.json()["code"]) == (400, "too_many_users")
    assert response.status_code == 201, response.content
    assert response.json()["status"] == "pending"
    assert (twice.status_code, twice.json()["code"]) == (409, "evaluation_request_pending")
    assert evaluation_queue_counts().waiting == 1
    assert _licences(var) == []

    # When a reviewer approves it through the staff API
    staff = _staff_client(*REVIEW)
    queue = staff.get("/api/v1/staff/evaluation-licences?status=pending").json()
    assert [(r["organisation"], r["users"]) for r in queue] == [("Chatter VAR", 50)]
    with django_capture_on_commit_callbacks(execute=True):
        approved = staff.post(
            f"/api/v1/staff/evaluation-licences/{response.json()['id']}/approve",
            {"reason": "Welcome aboard."},
            format="json",
        )

    # Then a one-year licence of the per-user product is the VAR's, and the requester has it
    # by email
    assert approved.status_code == 200, approved.content
    (licence,) = _licences(var)
    assert (licence.product_code, licence.quantity, licence.plan) == (
        "mattermost-enterprise",
        50,
        None,
    )
    assert licence.starts_on == timezone.localdate()
    assert licence.ends_on + datetime.timedelta(days=1) == licence.starts_on.replace(
        year=licence.starts_on.year + 1
    )
    assert approved.json()["licence"] == str(licence.pk)
    assert [m.to for m in mail.outbox] == [[var.admin.email]]
    assert "Mattermost Enterprise for 50 users" in mail.outbox[0].subject
    assert "Welcome aboard." in mail.outbox[0].body
    mine = client.get("/api/v1/evaluation-licences").json()["results"]
    assert [(r["status"], r["licence"]) for r in mine] == [("approved", str(licence.pk))]


@pytest.mark.parametrize(
    ("programme", "type_code"),
    [("vates", "distributor"), ("mattermost", "authorized_reseller")],
)
def test_partners_without_an_evaluation_licence_are_told_so(programme, type_code):
    partner = partner_of(programme, type_code)
    response = partner.api().post(
        "/api/v1/evaluation-licences", {"users": 5, "purpose": "Demos"}, format="json"
    )
    assert response.status_code == 400
    assert response.json()["code"] == "evaluation_not_offered"
    with observer():
        assert not EvaluationLicenceRequest.objects.exists()
    page = partner.browser().get("/space/evaluation/").content.decode()
    assert "not part of your programme" in page


def test_renewal_opens_sixty_days_before_the_licence_ends_and_continues_it(var):
    # Given a current evaluation licence ending in 61 days
    with observer():
        product = var.organisation.partner_type.programme.products.get(code="mattermost-enterprise")
    today = timezone.localdate()
    current = issue_licence(
        var.organisation,
        product=product,
        quantity=50,
        kind="evaluation",
        starts_on=today - datetime.timedelta(days=304),
        ends_on=today + datetime.timedelta(days=61),
    )
    client = var.api()
    early = client.post(
        "/api/v1/evaluation-licences", {"users": 50, "purpose": "Renewal"}, format="json"
    )
    assert (early.status_code, early.json()["code"]) == (409, "evaluation_licence_current")

    # When it ends in 60 days, the renewal is accepted and approved
    with observer():
        Licence.objects.filter(pk=current.pk).update(ends_on=today + datetime.timedelta(days=60))
    renewal = client.post(
        "/api/v1/evaluation-licences", {"users": 40, "purpose": "Renewal"}, format="json"
    )
    assert renewal.status_code == 201, renewal.content
    with observer():
        request = EvaluationLicenceRequest.objects.get(pk=renewal.json()["id"])
        evaluation_approve(actor=reviewer(*REVIEW), request=request)

    # Then the new licence starts the day after the current one ends
    old, new = _licences(var)
    assert old.pk == current.pk
    assert new.starts_on == today + datetime.timedelta(days=61)
    assert new.quantity == 40
    with observer():
        renewed = old.events.get(kind=LicenceEvent.Kind.RENEWED)
    assert renewed.detail == {"renewal": str(new.pk)}


def test_an_ended_licence_is_renewed_from_today(var):
    with observer():
        product = var.organisation.partner_type.programme.products.get(code="mattermost-enterprise")
    today = timezone.localdate()
    issue_licence(
        var.organisation,
        product=product,
        quantity=50,
        kind="evaluation",
        starts_on=today - datetime.timedelta(days=400),
        ends_on=today - datetime.timedelta(days=35),
    )
    request = evaluation_request(var.organisation, users=50)
    with observer():
        evaluation_approve(actor=reviewer(*REVIEW), request=request)
    assert _licences(var)[-1].starts_on == today


def test_a_rejection_is_emailed_with_its_reason(var, django_capture_on_commit_callbacks):
    request = evaluation_request(var.organisation, requested_by=var.admin)
    staff = _staff_client(*REVIEW)
    missing = staff.post(
        f"/api/v1/staff/evaluation-licences/{request.pk}/reject", {}, format="json"
    )
    with django_capture_on_commit_callbacks(execute=True):
        rejected = staff.post(
            f"/api/v1/staff/evaluation-licences/{request.pk}/reject",
            {"reason": "Finish the training first."},
            format="json",
        )
    assert missing.status_code == 400
    assert rejected.status_code == 200
    assert rejected.json()["status"] == "rejected"
    assert _licences(var) == []
    assert [m.to for m in mail.outbox] == [[var.admin.email]]
    assert "Finish the training first." in mail.outbox[0].body


def test_deciding_needs_the_review_permission(var):
    request = evaluation_request(var.organisation)
    staff = _staff_client("licensing.view_evaluationlicencerequest")
    assert staff.get("/api/v1/staff/evaluation-licences").status_code == 200
    refused = staff.post(
        f"/api/v1/staff/evaluation-licences/{request.pk}/approve", {}, format="json"
    )
    assert refused.status_code == 403
    with observer(), pytest.raises(Forbidden):
        evaluation_approve(actor=var.admin, request=request)
    assert _licences(var) == []


def test_the_evaluation_page_requests_and_shows_the_licence(var):
    browser = var.browser()
    form = browser.get("/space/evaluation/").content.decode()
    sent = browser.post("/space/evaluation/", {"users": "25", "purpose": "Our own team"})
    waiting = browser.get("/space/evaluation/").content.decode()
    nfr_page = browser.get("/space/nfr/").content.decode()

    assert "up to 50 users" in form
    assert sent.status_code == 302
    assert "is waiting for the channel team" in waiting
    assert "Our own team" in waiting
    assert "/space/evaluation/" in nfr_page  # linked from the internal-use page


def test_the_admin_queue_shows_evaluation_requests(var, client):
    evaluation_request(var.organisation, requested_by=var.admin)
    client.force_login(reviewer(*REVIEW))
    home = client.get("/admin/").content.decode()
    listed = client.get("/admin/licensing/evaluationlicencerequest/").content.decode()
    assert "Evaluation licences" in home
    assert "Chatter VAR" in listed
    assert "0 of 3 days" in listed
