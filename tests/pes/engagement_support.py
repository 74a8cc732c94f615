"""Engagement points in tests: claims as a partner makes them, the channel team's
accounts that decide, and entries written straight to the ledger."""

from __future__ import annotations

import datetime

from django.utils import timezone

from pes.models import Activity, PointsEntry
from pes.services.claims import claim_decide, claim_submit
from pes.services.ledger import entry_write
from tests.factories import staff_user
from tests.tenancy_support import observer

REVIEW = ("pes.review_claims", "pes.review_redemptions", "pes.view_claim", "pes.view_redemption")


def reviewer(**fields):
    return staff_user(*REVIEW, **fields)


def claim_body(activity: str = "case-study", **fields) -> dict:
    return {
        "activity": activity,
        "performed_on": (timezone.localdate() - datetime.timedelta(days=10)).isoformat(),
        "description": "Published with Acme Hospital",
        "link": "https://partner.example/acme",
        **fields,
    }


def claimed(tenant, activity: str = "case-study", files=(), **fields):
    with observer():
        return claim_submit(
            organisation=tenant.organisation,
            actor=tenant.admin,
            role="admin",
            data=claim_body(activity, **fields),
            files=files,
        )


def approved(tenant, activity: str = "case-study", actor=None, **fields):
    claim = claimed(tenant, activity, **fields)
    with observer():
        return claim_decide(actor=actor or reviewer(), claim=claim, approve=True)


def earned(tenant, points: int, *, days_ago: int = 0, activity: str = "event") -> PointsEntry:
    """An event-kind entry of ``points`` earned ``days_ago``."""
    with observer():
        found = Activity.objects.get(
            programme=tenant.organisation.partner_type.programme, code=activity
        )
        return entry_write(
            organisation=tenant.organisation,
            kind=PointsEntry.Kind.EVENT,
            points=points,
            earned_on=timezone.localdate() - datetime.timedelta(days=days_ago),
            description="test points",
            activity=found,
        )
