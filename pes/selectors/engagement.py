"""Reading a partner's engagement: its claims, ledger and redemptions (each a constant
number of queries whatever their number), and the channel team's review queues with
their ages in business days."""

from __future__ import annotations

from django.db.models import Count, Q
from django.utils import timezone

from pes.models import Claim, PointsEntry, Redemption
from portal.admin_site import QueueCounts
from portal.business_days import business_cutoff, business_time_between

#: Business days the channel team aims to decide a claim or a redemption in.
PES_REVIEW_DAYS = 5


def claims_of(organisation):
    return (
        Claim.objects.for_tenant(organisation)
        .select_related("activity")
        .prefetch_related("files")
        .order_by("-submitted_at")
    )


def ledger_of(organisation):
    return (
        PointsEntry.objects.for_tenant(organisation)
        .select_related("activity")
        .order_by("-earned_on", "-created_at")
    )


def redemptions_of(organisation):
    return (
        Redemption.objects.for_tenant(organisation)
        .select_related("benefit")
        .order_by("-requested_at")
    )


def _late_q(field: str, now) -> Q:
    return Q(**{f"{field}__lt": business_cutoff(now, PES_REVIEW_DAYS)})


def claims_late(queryset=None):
    queryset = Claim.objects.all() if queryset is None else queryset
    return queryset.filter(_late_q("submitted_at", timezone.now()), status=Claim.Status.SUBMITTED)


def redemptions_late(queryset=None):
    queryset = Redemption.objects.all() if queryset is None else queryset
    return queryset.filter(
        _late_q("requested_at", timezone.now()), status=Redemption.Status.REQUESTED
    )


def _counts(model, status, field) -> QueueCounts:
    counts = model.objects.filter(status=status).aggregate(
        waiting=Count("pk"), late=Count("pk", filter=_late_q(field, timezone.now()))
    )
    return QueueCounts(waiting=counts["waiting"], late=counts["late"])


def claim_queue_counts() -> QueueCounts:
    """The admin home's queue of claims: waiting, and how many are late. One query."""
    return _counts(Claim, Claim.Status.SUBMITTED, "submitted_at")


def redemption_queue_counts() -> QueueCounts:
    return _counts(Redemption, Redemption.Status.REQUESTED, "requested_at")


def review_age(since, now=None) -> tuple[int, bool]:
    """Business days waited since ``since``, and whether past ``PES_REVIEW_DAYS``."""
    now = now or timezone.now()
    return business_time_between(since, now).days, since < business_cutoff(now, PES_REVIEW_DAYS)
