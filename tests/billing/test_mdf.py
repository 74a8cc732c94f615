"""Marketing development funds (issue 12, SPEC §3.11): eligibility from the programme, the
budget's figures, the lifecycle (request, decision, claim with proof, paid), the money
rules, who may do what, the emails and the API."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest
from django.core import mail

from billing.models import MdfBudget, MdfClaimFile, MdfRequest
from billing.selectors.mdf import budget_summary, mdf_eligible
from billing.services.mdf import (
    mdf_budget_set,
    mdf_claim_decide,
    mdf_claim_submit,
    mdf_mark_paid,
    mdf_request_cancel,
    mdf_request_decide,
    mdf_request_submit,
)
from partners.models import Membership
from portal.errors import Conflict, DomainError, Forbidden
from portal.models import AuditEvent
from tests.billing.mdf_support import budget_for, request_body, reviewer, submitted
from tests.billing.payment_support import EXE, PDF, image_bytes, upload
from tests.factories import staff_user
from tests.partners.factories_team import member_of
from tests.tenancy_support import observer

D = Decimal


@pytest.fixture
def private_root(settings, tmp_path):
    settings.PRIVATE_MEDIA_ROOT = tmp_path / "private"
    return Path(settings.PRIVATE_MEDIA_ROOT)


@pytest.fixture
def msp(partner):
    """A Vates MSP at tier 3: eligible (MSPs from tier 3), with a 10,000 EUR budget."""
    tenant = partner("msp", tier=3)
    budget_for(tenant.organisation)
    return tenant


def _figures(budget):
    with observer():
        summary = budget_summary(budget)
    return (summary.committed, summary.claimed, summary.paid, summary.remaining)


@pytest.mark.parametrize(
    ("type_code", "tier", "eligible"),
    [
        ("distributor", 1, True),
        ("msp", 2, False),
        ("msp", 3, True),
        ("reseller", 3, True),
        ("reseller", 1, False),
        ("order_taker", 1, False),
    ],
)
def test_eligibility_follows_the_programme(partner, type_code, tier, eligible):
    assert mdf_eligible(partner(type_code, tier=tier).organisation) is eligible


def test_the_whole_lifecycle_moves_the_figures(
    msp, private_root, django_capture_on_commit_callbacks
):
    staff = reviewer()
    with observer():
        budget = MdfBudget.objects.get(organisation=msp.organisation)
    request = submitted(msp, "3000.00")
    assert _figures(budget) == (D("3000.00"), 0, 0, D("7000.00"))

    with observer(), django_capture_on_commit_callbacks(execute=True):
        mdf_request_decide(actor=staff, request=request, approve=True)
    assert _figures(budget) == (D("3000.00"), 0, 0, D("7000.00"))

    with observer():
        mdf_claim_submit(
            organisation=msp.organisation,
            actor=msp.admin,
            role="admin",
            request_id=request.pk,
            amount="2500.00",
            files=[upload(PDF, "invoice.pdf"), upload(image_bytes(), "booth.png", "image/png")],
        )
        assert MdfClaimFile.objects.filter(request=request).count() == 2
    assert _figures(budget) == (0, D("3000.00"), 0, D("7000.00"))

    with observer(), django_capture_on_commit_callbacks(execute=True):
        mdf_claim_decide(actor=staff, request=request, approve=True)
    # The approved claim holds what it claimed: the rest of the cost is released.
    assert _figures(budget) == (0, D("2500.00"), 0, D("7500.00"))

    with observer(), django_capture_on_commit_callbacks(execute=True):
        paid = mdf_mark_paid(actor=staff, request=request)
        actions = list(
            AuditEvent.objects.filter(object_id=str(request.pk))
            .order_by("at", "id")
            .values_list("action", flat=True)
        )
    assert paid.status == MdfRequest.Status.PAID
    assert paid.paid_amount == D("2500.00")
    assert _figures(budget) == (0, 0, D("2500.00"), D("7500.00"))
    assert actions == [
        "mdf_request.submitted",
        "mdf_request.approved",
        "mdf_request.claimed",
        "mdf_request.claim_approved",
        "mdf_request.paid",
    ]
    subjects = [m.subject for m in mail.outbox]
    assert any("approved: Webinar series" in s for s in subjects)
    assert any("claim approved" in s for s in subjects)
    assert any("paid" in s for s in subjects)
    assert all(m.to == [msp.admin.email] for m in mail.outbox)


def test_a_rejection_releases_the_hold_and_emails_the_reason(
    msp, django_capture_on_commit_callbacks
):
    request = submitted(msp, "4000.00")
    with observer(), django_capture_on_commit_callbacks(execute=True):
        mdf_request_decide(actor=reviewer(), request=request, approve=False, reason="Off-brand")
        budget = request.budget
    assert _figures(budget) == (0, 0, 0, D("10000.00"))
    assert "Off-brand" in mail.outbox[-1].body
    assert mail.outbox[-1].to == [msp.admin.email]


def test_a_rejection_needs_a_reason(msp):
    request = submitted(msp)
    with observer(), pytest.raises(DomainError) as refused:
        mdf_request_decide(actor=reviewer(), request=request, approve=False, reason=" ")
    assert refused.value.field == "reason"


def test_a_rejected_claim_goes_back_to_approved_and_may_be_claimed_again(
    msp, private_root, django_capture_on_commit_callbacks
):
    request = submitted(msp)
    staff = reviewer()
    with observer(), django_capture_on_commit_callbacks(execute=True):
        mdf_request_decide(actor=staff, request=request, approve=True)
        mdf_claim_submit(
            organisation=msp.organisation,
            actor=msp.admin,
            role="admin",
            request_id=request.pk,
            amount="900.00",
            files=[upload(PDF)],
        )
        mdf_claim_decide(actor=staff, request=request, approve=False, reason="Blurry scan")
        request.refresh_from_db()
    assert request.status == MdfRequest.Status.APPROVED
    assert "Blurry scan" in mail.outbox[-1].body
    with observer():
        mdf_claim_submit(
            organisation=msp.organisation,
            actor=msp.admin,
            role="admin",
            request_id=request.pk,
            amount="900.00",
            files=[upload(PDF)],
        )
        request.refresh_from_db()
    assert request.status == MdfRequest.Status.CLAIMED


def test_a_claim_is_at_most_the_approved_cost_and_needs_real_proof(msp, private_root):
    request = submitted(msp, "1000.00")
    with observer():
        mdf_request_decide(actor=reviewer(), request=request, approve=True)
        with pytest.raises(DomainError) as over:
            mdf_claim_submit(
                organisation=msp.organisation,
                actor=msp.admin,
                role="admin",
                request_id=request.pk,
                amount="1000.01",
                files=[upload(PDF)],
            )
        with pytest.raises(DomainError) as fake:
            mdf_claim_submit(
                organisation=msp.organisation,
                actor=msp.admin,
                role="admin",
                request_id=request.pk,
                amount="100.00",
                files=[upload(EXE, "report.pdf")],
            )
        request.refresh_from_db()
    assert over.value.code == "over_cost"
    assert (fake.value.field, fake.value.code) == ("files", "file_format")
    assert request.status == MdfRequest.Status.APPROVED
    assert not list(private_root.rglob("*.*"))


def test_a_request_over_the_remaining_budget_is_refused(msp):
    submitted(msp, "9000.00")
    with observer(), pytest.raises(DomainError) as refused:
        mdf_request_submit(
            organisation=msp.organisation,
            actor=msp.admin,
            role="admin",
            data=request_body("1000.01"),
        )
    assert (refused.value.field, refused.value.code) == ("cost", "over_budget")
    submitted(msp, "1000.00")  # exactly what remains


def test_a_cancelled_request_releases_its_hold(msp):
    request = submitted(msp, "10000.00")
    with observer():
        mdf_request_cancel(
            organisation=msp.organisation, actor=msp.admin, role="admin", request_id=request.pk
        )
    assert _figures(request.budget)[3] == D("10000.00")


def test_input_is_checked(msp):
    cases = [
        (request_body(end_date="2000-01-01"), "end_date"),
        (request_body("0"), "cost"),
        (request_body("-5"), "cost"),
        (request_body(activity=""), "activity"),
        (request_body(expected_result=""), "expected_result"),
    ]
    for data, field in cases:
        with observer(), pytest.raises(DomainError) as refused:
            mdf_request_submit(
                organisation=msp.organisation, actor=msp.admin, role="admin", data=data
            )
        assert refused.value.field == field


def test_roles_and_eligibility(partner, msp):
    finance = member_of(msp, role=Membership.Role.FINANCE).user
    with observer(), pytest.raises(Forbidden):
        mdf_request_submit(
            organisation=msp.organisation, actor=finance, role="finance", data=request_body()
        )
    sales = member_of(msp, role=Membership.Role.SALES).user
    with observer():
        mdf_request_submit(
            organisation=msp.organisation, actor=sales, role="sales", data=request_body()
        )
    small = partner("msp", tier=2)
    with observer(), pytest.raises(Forbidden) as refused:
        mdf_request_submit(
            organisation=small.organisation, actor=small.admin, role="admin", data=request_body()
        )
    assert refused.value.code == "not_eligible"


def test_staff_need_the_permission(msp):
    request = submitted(msp)
    for actor in (staff_user(), staff_user("billing.view_mdfrequest"), None):
        with observer(), pytest.raises(Forbidden):
            mdf_request_decide(actor=actor, request=request, approve=True)
    with observer(), pytest.raises(Forbidden):
        mdf_budget_set(
            actor=reviewer(), organisation=msp.organisation, year=2026, amount=5, currency="EUR"
        )
    with observer():
        request.refresh_from_db()
    assert request.status == MdfRequest.Status.SUBMITTED


def test_a_decided_request_is_not_decided_again(msp):
    request = submitted(msp)
    with observer():
        mdf_request_decide(actor=reviewer(), request=request, approve=True)
        with pytest.raises(Conflict):
            mdf_request_decide(actor=reviewer(), request=request, approve=False, reason="x")


def test_a_budget_cannot_drop_below_what_is_held(msp):
    request = submitted(msp, "6000.00")
    with observer(), pytest.raises(Conflict):
        mdf_budget_set(
            actor=staff_user("billing.set_mdf_budgets"),
            organisation=msp.organisation,
            year=request.budget.year,
            amount="5000",
            currency="EUR",
        )


# --- the API and the page -----------------------------------------------------------------


def test_api_summary_request_and_claim(msp, private_root, django_assert_max_num_queries):
    api = msp.api()
    created = api.post("/api/v1/mdf/requests", request_body("2000.00"), format="json")
    assert created.status_code == 201, created.content
    body = api.get("/api/v1/mdf").json()
    assert {k: body[k] for k in ("budget", "committed", "claimed", "paid", "remaining")} == {
        "budget": "10000.00",
        "committed": "2000.00",
        "claimed": "0.00",
        "paid": "0.00",
        "remaining": "8000.00",
    }
    assert body["currency"] == "EUR"
    assert [r["id"] for r in body["requests"]] == [created.json()["id"]]
    with observer():
        request = MdfRequest.objects.get(pk=created.json()["id"])
        mdf_request_decide(actor=reviewer(), request=request, approve=True)
    claim = api.post(
        f"/api/v1/mdf/requests/{request.pk}/claim",
        {"amount": "1500.00", "files": [upload(PDF, "invoice.pdf")]},
        format="multipart",
    )
    assert claim.status_code == 200, claim.content
    assert claim.json()["status"] == "claimed"
    assert claim.json()["claim_files"] == ["invoice.pdf"]
    for _n in range(3):
        submitted(msp, "10.00")
    with django_assert_max_num_queries(14):
        assert len(api.get("/api/v1/mdf").json()["requests"]) == 4
    with django_assert_max_num_queries(14):
        assert len(api.get("/api/v1/mdf/requests").json()["results"]) == 4


def test_api_errors(msp, partner):
    api = msp.api()
    over = api.post("/api/v1/mdf/requests", request_body("10000.01"), format="json")
    assert over.status_code == 400
    assert (
        "cost" in over.json()["errors"] if "errors" in over.json() else "cost" in str(over.json())
    )
    dates = api.post("/api/v1/mdf/requests", request_body(end_date="2000-01-01"), format="json")
    assert dates.status_code == 400
    assert "end_date" in str(dates.json())
    small = partner("reseller", tier=1)
    refused = small.api().post("/api/v1/mdf/requests", request_body(), format="json")
    assert refused.status_code == 403
    assert "not_eligible" in str(refused.json())


def test_the_page_shows_the_figures_and_takes_a_request(msp):
    web = msp.browser()
    page = web.get("/space/mdf/")
    assert page.status_code == 200
    assert 'id="mdf-remaining"' in page.content.decode()
    posted = web.post("/space/mdf/", request_body("1234.00"))
    assert posted.status_code == 302
    page = web.get("/space/mdf/").content.decode()
    assert "Webinar series" in page
    assert "8,766.00" in page
    refused = web.post("/space/mdf/", request_body("99999.00"))
    assert refused.status_code == 400
    assert "remains of your budget" in refused.content.decode()


def test_the_page_says_when_not_eligible(partner):
    small = partner("reseller", tier=1)
    assert 'id="mdf-not-eligible"' in small.browser().get("/space/mdf/").content.decode()


def test_paying_needs_the_finance_permission(msp, private_root):
    request = submitted(msp)
    decider = staff_user("billing.review_mdf")
    with observer():
        mdf_request_decide(actor=decider, request=request, approve=True)
        mdf_claim_submit(
            organisation=msp.organisation,
            actor=msp.admin,
            role="admin",
            request_id=request.pk,
            amount="500.00",
            files=[upload(PDF)],
        )
        mdf_claim_decide(actor=decider, request=request, approve=True)
        with pytest.raises(Forbidden):
            mdf_mark_paid(actor=decider, request=request)
        mdf_mark_paid(actor=staff_user("billing.pay_mdf"), request=request)


# --- the admin ----------------------------------------------------------------------------


def test_the_admin_queue_decisions_and_files(
    msp, private_root, client, django_capture_on_commit_callbacks
):
    from django.contrib.auth.models import Permission

    from portal.admin_site import review_queue_rows

    request = submitted(msp)
    staff = reviewer()
    staff.user_permissions.add(Permission.objects.get(codename="view_mdfrequest"))
    rows = {row.label: row for row in review_queue_rows(staff)}
    assert rows["Marketing fund requests and claims"].waiting == 1
    client.force_login(staff)
    listing = client.get("/admin/billing/mdfrequest/")
    assert listing.status_code == 200
    assert "of 5 business days" in listing.content.decode()
    page = client.get(f"/admin/billing/mdfrequest/{request.pk}/change/").content.decode()
    assert "Approve request" in page
    assert "Mark paid" not in page
    # Rejecting goes through its form: the reason is required.
    url = f"/admin/billing/mdfrequest/{request.pk}/reject/"
    assert client.get(url).status_code == 200
    assert client.post(url, {"text": ""}).status_code == 200
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(url, {"text": "Not this quarter"}).status_code == 302
    with observer():
        request.refresh_from_db()
    assert request.status == MdfRequest.Status.REJECTED
    assert "Not this quarter" in mail.outbox[-1].body

    # Another request, approved and claimed: staff download the claim's file.
    other = submitted(msp)
    approve = f"/admin/billing/mdfrequest/{other.pk}/approve/"
    assert client.post(approve).status_code == 302
    with observer():
        mdf_claim_submit(
            organisation=msp.organisation,
            actor=msp.admin,
            role="admin",
            request_id=other.pk,
            amount="100.00",
            files=[upload(PDF, "x.pdf")],
        )
        claim_file = MdfClaimFile.objects.get(request=other)
    download = client.get(f"/admin/billing/mdfrequest/files/{claim_file.pk}/")
    assert download.status_code == 200
    assert b"".join(download.streaming_content) == PDF


def test_the_admin_refuses_staff_without_the_permission(msp, client):
    request = submitted(msp)
    client.force_login(staff_user("billing.view_mdfrequest"))
    page = client.get(f"/admin/billing/mdfrequest/{request.pk}/change/").content.decode()
    assert "Approve request" not in page
    assert client.post(f"/admin/billing/mdfrequest/{request.pk}/approve/").status_code == 403
    with observer():
        request.refresh_from_db()
    assert request.status == MdfRequest.Status.SUBMITTED


def test_the_admin_sets_budgets_through_the_service(msp, client):
    client.force_login(staff_user("billing.set_mdf_budgets", "billing.view_mdfbudget"))
    other = msp.organisation
    with observer():
        budget = MdfBudget.objects.get(organisation=other)
    response = client.post(
        f"/admin/billing/mdfbudget/{budget.pk}/change/",
        {"amount": "12000.00", "currency": "EUR"},
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    with observer():
        budget.refresh_from_db()
        assert AuditEvent.objects.filter(action="mdf_budget.set").count() == 2
    assert budget.amount == D("12000.00")


def test_the_page_takes_a_claim_with_its_files(msp, private_root):
    request = submitted(msp, "800.00")
    with observer():
        mdf_request_decide(actor=reviewer(), request=request, approve=True)
    web = msp.browser()
    page = web.get("/space/mdf/").content.decode()
    assert f'id="id_claim_{request.pk}_amount"' in page
    url = f"/space/mdf/requests/{request.pk}/claim/"
    refused = web.post(url, {"amount": "900.00", "files": upload(PDF)})
    assert refused.status_code == 400
    assert "At most the approved cost" in refused.content.decode()
    fake = web.post(url, {"amount": "700.00", "files": upload(EXE, "r.pdf")})
    assert fake.status_code == 400
    assert "PDF, PNG or JPEG" in fake.content.decode()
    done = web.post(url, {"amount": "700.00", "files": [upload(PDF), upload(PDF, "b.pdf")]})
    assert done.status_code == 302
    with observer():
        request.refresh_from_db()
        assert request.claim_files.count() == 2
    assert request.status == MdfRequest.Status.CLAIMED
