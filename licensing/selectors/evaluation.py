"""Reads for partner evaluation licences (SPEC §3.7; Mattermost's "Partner Evaluation
License": a renewable one-year Enterprise licence for up to 50 users, for value-added
resellers and system integrators)."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from licensing.models import EvaluationLicenceRequest, Licence, Product, RequestStatus, Unit
from portal.admin_site import QueueCounts

#: A licence may be renewed (a new request) from this many days before it ends.
RENEWAL_WINDOW_DAYS = 60
#: The channel team answers within this many days (the seed: "Expect delivery within 2-3
#: business days"); older pending requests are "late" in the queue.
EVALUATION_REVIEW_DAYS = 3


def evaluation_product(*, programme) -> Product | None:
    """What an evaluation licence is of: the programme's first per-user product offered
    for sale (Mattermost Enterprise)."""
    return (
        Product.objects.filter(programme=programme, unit=Unit.PER_USER, is_active=True)
        .order_by("position", "name")
        .first()
    )


def evaluation_requests_for(*, organisation) -> QuerySet[EvaluationLicenceRequest]:
    return (
        EvaluationLicenceRequest.objects.owned_by(organisation)
        .select_related("licence", "requested_by")
        .order_by("-created_at", "-id")
    )


def current_evaluation_licence(*, organisation) -> Licence | None:
    """The organisation's latest evaluation licence that was not cancelled."""
    return (
        Licence.objects.owned_by(organisation)
        .filter(kind=Licence.Kind.EVALUATION)
        .exclude(status=Licence.Status.CANCELLED)
        .order_by("-ends_on", "-created_at")
        .first()
    )


@dataclass(frozen=True)
class EvaluationStatus:
    offered: bool
    max_users: int | None
    current: Licence | None
    pending: EvaluationLicenceRequest | None
    #: The first day a (renewal) request may be sent; None: now.
    renew_from: datetime.date | None

    @property
    def may_request(self) -> bool:
        return self.offered and self.pending is None and self.renew_from is None


def evaluation_status(*, organisation, today: datetime.date | None = None) -> EvaluationStatus:
    today = today or timezone.localdate()
    max_users = organisation.partner_type.evaluation_licence_users
    current = current_evaluation_licence(organisation=organisation)
    pending = (
        evaluation_requests_for(organisation=organisation)
        .filter(status=RequestStatus.PENDING)
        .first()
    )
    renew_from = None
    if current is not None:
        opens = current.ends_on - datetime.timedelta(days=RENEWAL_WINDOW_DAYS)
        renew_from = opens if opens > today else None
    return EvaluationStatus(
        offered=max_users is not None,
        max_users=max_users,
        current=current,
        pending=pending,
        renew_from=renew_from,
    )


# --- the channel team's queue ------------------------------------------------------------


def _late_cutoff() -> datetime.datetime:
    return timezone.now() - datetime.timedelta(days=EVALUATION_REVIEW_DAYS)


def evaluation_requests_for_review(
    queryset: QuerySet[EvaluationLicenceRequest] | None = None,
) -> QuerySet[EvaluationLicenceRequest]:
    queryset = EvaluationLicenceRequest.objects.all() if queryset is None else queryset
    return queryset.select_related(
        "organisation", "organisation__partner_type", "licence", "requested_by", "decided_by"
    )


def evaluation_request_queue(*, status: str | None = None) -> QuerySet[EvaluationLicenceRequest]:
    queryset = evaluation_requests_for_review()
    if status:
        queryset = queryset.filter(status=status)
    return queryset.order_by("created_at", "id")


def evaluation_requests_late(
    queryset: QuerySet[EvaluationLicenceRequest],
) -> QuerySet[EvaluationLicenceRequest]:
    return queryset.filter(status=RequestStatus.PENDING, created_at__lt=_late_cutoff())


def evaluation_request_age(*, request: EvaluationLicenceRequest) -> tuple[datetime.timedelta, bool]:
    age = (request.decided_at or timezone.now()) - request.created_at
    late = request.is_pending and age > datetime.timedelta(days=EVALUATION_REVIEW_DAYS)
    return age, late


def evaluation_queue_counts() -> QueueCounts:
    counts = EvaluationLicenceRequest.objects.filter(status=RequestStatus.PENDING).aggregate(
        waiting=Count("pk"), late=Count("pk", filter=Q(created_at__lt=_late_cutoff()))
    )
    return QueueCounts(waiting=counts["waiting"], late=counts["late"])
