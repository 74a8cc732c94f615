"""Engagement claims (SPEC §3.9): a member claims a catalogue activity with evidence; the
channel team approves (one ledger entry, earned on the day performed, worth the points
of the day it was claimed) or rejects with a reason; the claimant is emailed."""

from __future__ import annotations

import datetime
from pathlib import Path

import pytest
from django.core import mail
from django.utils import timezone

from partners.models import Membership
from pes.models import Activity, Claim, ClaimFile, PointsEntry
from pes.selectors.score import trailing_score
from pes.services.claims import MAX_CLAIM_FILES, claim_decide, claim_submit, claim_withdraw
from portal.errors import Conflict, DomainError, Forbidden
from portal.models import AuditEvent
from tests.billing.payment_support import EXE, PDF, image_bytes, upload
from tests.factories import staff_user
from tests.partners.factories_team import member_of
from tests.pes.engagement_support import claim_body, claimed, reviewer
from tests.tenancy_support import observer

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate()


@pytest.fixture
def private_root(settings, tmp_path):
    settings.PRIVATE_MEDIA_ROOT = tmp_path / "private"
    return Path(settings.PRIVATE_MEDIA_ROOT)


def _submit(tenant, *, actor=None, role="admin", files=(), **fields):
    with observer():
        return claim_submit(
            organisation=tenant.organisation,
            actor=actor or tenant.admin,
            role=role,
            data=claim_body(**fields),
            files=files,
        )


def test_any_member_claims_with_files_and_the_claim_keeps_the_points(
    partner, private_root, django_capture_on_commit_callbacks
):
    distributor = partner("distributor", tier=2)
    technical = member_of(distributor, role=Membership.Role.TECHNICAL)
    claim = _submit(
        distributor,
        actor=technical.user,
        role="technical",
        files=[upload(PDF, "report.pdf"), upload(image_bytes(), "stand.png", "image/png")],
    )
    assert (claim.status, claim.points, claim.submitted_by_id) == (
        "submitted",
        25,
        technical.user_id,
    )
    with observer():
        files = list(ClaimFile.objects.filter(claim=claim).order_by("original_name"))
        assert [f.original_name for f in files] == ["report.pdf", "stand.png"]
        assert files[0].file.read() == PDF
        # A later price change leaves the claim's points as they were.
        Activity.objects.filter(code="case-study").update(points=99)
        staff = reviewer(email="claims@vendor.example")
        with django_capture_on_commit_callbacks(execute=True):
            claim_decide(actor=staff, claim=claim, approve=True)
        entry = PointsEntry.objects.get(claim=claim)
    assert (entry.kind, entry.points, entry.category) == ("claim", 25, "marketing")
    assert entry.earned_on == TODAY - datetime.timedelta(days=10)
    with observer():
        assert trailing_score(organisation=distributor.organisation, on=TODAY).total == 25
        assert AuditEvent.objects.filter(action="pes_claim.approved").count() == 1
    assert [m.to for m in mail.outbox] == [[technical.user.email]]
    assert "approved" in mail.outbox[0].subject


@pytest.mark.parametrize(
    ("fields", "field", "code"),
    [
        ({"activity": "no-such-activity"}, "activity", "invalid"),
        # Awarded by an event, never claimed.
        ({"activity": "partner-led-renewal"}, "activity", "invalid"),
        (
            {"performed_on": (TODAY + datetime.timedelta(days=1)).isoformat()},
            "performed_on",
            "future",
        ),
        (
            {"performed_on": (TODAY - datetime.timedelta(days=366)).isoformat()},
            "performed_on",
            "too_old",
        ),
        ({"performed_on": "yesterday"}, "performed_on", "invalid"),
        ({"description": "  "}, "description", "required"),
        ({"link": "javascript:alert(1)"}, "link", "invalid"),
    ],
)
def test_a_claim_is_refused_with_the_field_at_fault(partner, fields, field, code):
    tenant = partner("reseller", tier=1)
    with pytest.raises(DomainError) as refused:
        _submit(tenant, **fields)
    assert (refused.value.field, refused.value.code) == (field, code)
    with observer():
        assert not Claim.objects.exists()


def test_files_are_checked_by_content_and_counted(partner, private_root):
    tenant = partner("reseller", tier=1)
    with pytest.raises(DomainError) as refused:
        _submit(tenant, files=[upload(EXE, "report.pdf")])
    assert refused.value.field == "files"
    with pytest.raises(DomainError) as refused:
        _submit(tenant, files=[upload(PDF, f"{n}.pdf") for n in range(MAX_CLAIM_FILES + 1)])
    assert refused.value.code == "too_many"
    with observer():
        assert not Claim.objects.exists()
    assert not any(private_root.rglob("*.pdf"))


def test_an_inactive_or_other_programmes_activity_cannot_be_claimed(partner):
    tenant = partner("reseller", tier=1)
    with observer():
        Activity.objects.filter(code="case-study").update(active=False)
    with pytest.raises(DomainError):
        _submit(tenant)


def test_reject_needs_a_reason_and_writes_nothing(partner, django_capture_on_commit_callbacks):
    tenant = partner("reseller", tier=1)
    claim = claimed(tenant)
    staff = reviewer()
    with observer(), pytest.raises(DomainError) as refused:
        claim_decide(actor=staff, claim=claim, approve=False, reason=" ")
    assert refused.value.field == "reason"
    with observer(), django_capture_on_commit_callbacks(execute=True):
        claim_decide(actor=staff, claim=claim, approve=False, reason="No customer named.")
        claim.refresh_from_db()
        assert not PointsEntry.objects.exists()
    assert (claim.status, claim.rejection_reason) == ("rejected", "No customer named.")
    assert "No customer named." in mail.outbox[0].body


def test_a_decision_is_taken_once(partner):
    tenant = partner("reseller", tier=1)
    claim = claimed(tenant)
    staff = reviewer()
    with observer():
        claim_decide(actor=staff, claim=claim, approve=True)
        # The second click finds the claim decided: one entry.
        with pytest.raises(Conflict):
            claim_decide(actor=staff, claim=claim, approve=True)
        with pytest.raises(Conflict):
            claim_decide(actor=staff, claim=claim, approve=False, reason="Late")
        assert PointsEntry.objects.filter(claim=claim).count() == 1


def test_deciding_needs_the_permission(partner):
    tenant = partner("reseller", tier=1)
    claim = claimed(tenant)
    with observer(), pytest.raises(Forbidden):
        claim_decide(actor=staff_user("pes.view_claim"), claim=claim, approve=True)
    with observer():
        assert not PointsEntry.objects.exists()


def test_the_claimant_or_an_admin_withdraws(partner):
    tenant = partner("reseller", tier=1)
    sales = member_of(tenant, role=Membership.Role.SALES)
    other = member_of(tenant, role=Membership.Role.SALES)
    claim = _submit(tenant, actor=sales.user, role="sales")
    with observer(), pytest.raises(Forbidden):
        claim_withdraw(
            organisation=tenant.organisation, actor=other.user, role="sales", claim_id=claim.pk
        )
    with observer():
        claim_withdraw(
            organisation=tenant.organisation, actor=sales.user, role="sales", claim_id=claim.pk
        )
        claim.refresh_from_db()
        assert claim.status == "withdrawn"
        with pytest.raises(Conflict):
            claim_withdraw(
                organisation=tenant.organisation,
                actor=tenant.admin,
                role="admin",
                claim_id=claim.pk,
            )
    second = _submit(tenant, actor=sales.user, role="sales")
    with observer():
        claim_withdraw(
            organisation=tenant.organisation, actor=tenant.admin, role="admin", claim_id=second.pk
        )
        second.refresh_from_db()
    assert second.status == "withdrawn"
