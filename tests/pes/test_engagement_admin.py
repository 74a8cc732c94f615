"""The channel team's engagement admin: the review queues with their ages, decisions
through the services (offered to those who may, refused otherwise), the evidence files,
and adjusting points from the ledger."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.core import mail

from pes.models import Claim, ClaimFile, PointsEntry, Redemption
from portal.admin_site import review_queue_rows
from tests.billing.payment_support import PDF, upload
from tests.factories import staff_user
from tests.pes.engagement_support import claimed, earned, reviewer
from tests.tenancy_support import observer

pytestmark = pytest.mark.django_db


@pytest.fixture
def private_root(settings, tmp_path):
    settings.PRIVATE_MEDIA_ROOT = tmp_path / "private"
    return Path(settings.PRIVATE_MEDIA_ROOT)


def test_the_claim_queue_decisions_and_files(
    partner, private_root, client, django_capture_on_commit_callbacks
):
    tenant = partner("reseller", tier=1)
    first = claimed(tenant, files=[upload(PDF, "story.pdf")])
    second = claimed(tenant, "workshop")
    staff = reviewer()
    rows = {row.label: row for row in review_queue_rows(staff)}
    assert rows["Engagement claims"].waiting == 2
    client.force_login(staff)
    listing = client.get("/admin/pes/claim/").content.decode()
    assert "of 5 business days" in listing
    page = client.get(f"/admin/pes/claim/{first.pk}/change/").content.decode()
    assert f"/admin/pes/claim/{first.pk}/approve/" in page
    with observer():
        claim_file = ClaimFile.objects.get(claim=first)
    download = client.get(f"/admin/pes/claim/files/{claim_file.pk}/")
    assert b"".join(download.streaming_content) == PDF

    # Approve twice (a double click): one entry.
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(f"/admin/pes/claim/{first.pk}/approve/").status_code == 302
        assert client.post(f"/admin/pes/claim/{first.pk}/approve/").status_code == 302
    # Rejecting needs a reason.
    url = f"/admin/pes/claim/{second.pk}/reject/"
    assert client.post(url, {"text": ""}).status_code == 200
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(url, {"text": "No agenda attached"}).status_code == 302
    with observer():
        assert PointsEntry.objects.filter(claim=first).count() == 1
        assert Claim.objects.get(pk=second.pk).status == "rejected"
    assert [m.subject.split(":")[0] for m in mail.outbox] == [
        "Engagement claim approved",
        "Engagement claim not approved",
    ]


def test_the_redemption_queue(partner, client):
    from pes.services.redemptions import redemption_apply

    tenant = partner("distributor", tier=2)
    earned(tenant, 100)
    with observer():
        redemption = redemption_apply(
            organisation=tenant.organisation,
            actor=tenant.admin,
            role="admin",
            data={"benefit": "extra-nfr"},
        )
    client.force_login(reviewer())
    assert "Points redemptions" in client.get("/admin/").content.decode()
    assert client.post(f"/admin/pes/redemption/{redemption.pk}/approve/").status_code == 302
    with observer():
        assert Redemption.objects.get().status == "approved"
        assert PointsEntry.objects.get(redemption=redemption).points == -40


def test_staff_without_the_permission_are_refused(partner, client):
    tenant = partner("reseller", tier=1)
    claim = claimed(tenant)
    client.force_login(staff_user("pes.view_claim", "pes.view_pointsentry"))
    page = client.get(f"/admin/pes/claim/{claim.pk}/change/").content.decode()
    assert "/approve/" not in page
    assert client.post(f"/admin/pes/claim/{claim.pk}/approve/").status_code == 403
    assert client.get("/admin/pes/pointsentry/adjust/").status_code == 403
    assert "Adjust points" not in client.get("/admin/pes/pointsentry/").content.decode()
    with observer():
        assert not PointsEntry.objects.exists()


def test_adjusting_points_from_the_ledger(partner, client):
    tenant = partner("reseller", tier=1)
    client.force_login(staff_user("pes.adjust_points", "pes.view_pointsentry"))
    assert "Adjust points" in client.get("/admin/pes/pointsentry/").content.decode()
    url = "/admin/pes/pointsentry/adjust/"
    data = {"organisation": tenant.organisation.pk, "points": "15", "reason": ""}
    assert client.post(url, data).status_code == 200  # the reason is required
    assert client.post(url, {**data, "reason": "Webinar hosted for us"}).status_code == 302
    with observer():
        entry = PointsEntry.objects.get()
    assert (entry.kind, entry.points, entry.description) == (
        "adjustment",
        15,
        "Webinar hosted for us",
    )
