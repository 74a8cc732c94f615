"""Reads for trials, their extension requests and the licences that count as sales
(SPEC §3.7)."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.db.models import Count, Prefetch, Q, QuerySet
from django.utils import timezone

from licensing.models import Licence, Product, RequestStatus, TrialExtensionRequest
from licensing.services.licences import term_days
from portal.admin_site import QueueCounts

#: Statuses of a licence that still runs (the expiry job moves them to "expired").
OPEN_STATUSES = (Licence.Status.UNBOUND, Licence.Status.BOUND, Licence.Status.ACTIVE)

#: The channel team answers a trial extension request within this many days (the trial is
#: running out meanwhile); older pending requests are "late" in the queue.
EXTENSION_REVIEW_DAYS = 3

#: Staff extend a trial at most this long in total (a sanity bound, not a programme rule).
TRIAL_REQUEST_MAX_DAYS = 365


def customer_sales_licences(queryset: QuerySet[Licence] | None = None) -> QuerySet[Licence]:
    """The licences that count as customer sales (tier evaluation, PES, discounts to come):
    kind ``customer`` only. Trials and PoCs are free and never count; NFR / internal-use
    licences are excluded from Customer Sales by the programme (the Vates seed: "Orders
    placed under a Partner's Internal Use License (IUL/NFR) are excluded"); partner
    evaluation licences are the partner's own. Later issues read sales through this."""
    queryset = Licence.objects.all() if queryset is None else queryset
    return queryset.filter(kind=Licence.Kind.CUSTOMER)


def trial_queryset() -> QuerySet[Licence]:
    """Trial licences with what their pages and the API show, in a constant number of
    queries (the trial's details, its extension requests newest first)."""
    return (
        Licence.objects.filter(kind=Licence.Kind.TRIAL)
        .select_related("trial")
        .prefetch_related(
            Prefetch(
                "extension_requests",
                queryset=TrialExtensionRequest.objects.order_by("-created_at"),
            )
        )
    )


def trials_for(*, organisation) -> QuerySet[Licence]:
    """The organisation's own trials, newest first."""
    return trial_queryset().owned_by(organisation).order_by("-created_at", "-id")


def trial_products(*, organisation) -> QuerySet[Product]:
    """What a partner may try: its programme's products offered for sale."""
    return Product.objects.filter(
        programme_id=organisation.partner_type.programme_id, is_active=True
    ).order_by("position", "name")


def trial_max_ends_on(*, licence: Licence, programme) -> datetime.date:
    """The latest last day a partner may give a trial itself: the term (both ends
    included) covers ``trial_max_days`` at most."""
    return licence.starts_on + datetime.timedelta(days=programme.trial_max_days - 1)


def trial_total_days(*, licence: Licence, ends_on: datetime.date | None = None) -> int:
    """The days the trial covers (or would, ending on ``ends_on``), both ends included."""
    return term_days(licence.starts_on, ends_on or licence.ends_on)


def days_left(*, licence: Licence, today: datetime.date | None = None) -> int:
    """Days left after today (0 on its last day; negative once it has ended)."""
    return (licence.ends_on - (today or timezone.localdate())).days


def is_running(*, licence: Licence, today: datetime.date | None = None) -> bool:
    return licence.status in OPEN_STATUSES and days_left(licence=licence, today=today) >= 0


@dataclass(frozen=True)
class TrialRow:
    """One trial as the page shows it."""

    licence: Licence
    days_left: int
    running: bool
    total_days: int
    max_ends_on: datetime.date
    may_extend: bool
    pending_request: TrialExtensionRequest | None
    last_request: TrialExtensionRequest | None


def trial_row(*, licence: Licence, programme, today: datetime.date | None = None) -> TrialRow:
    """No query for a licence read through ``trial_queryset``."""
    today = today or timezone.localdate()
    requests = list(licence.extension_requests.all())
    pending = next((r for r in requests if r.status == RequestStatus.PENDING), None)
    max_ends_on = trial_max_ends_on(licence=licence, programme=programme)
    running = is_running(licence=licence, today=today)
    return TrialRow(
        licence=licence,
        days_left=days_left(licence=licence, today=today),
        running=running,
        total_days=trial_total_days(licence=licence),
        max_ends_on=max_ends_on,
        may_extend=running and licence.ends_on < max_ends_on,
        pending_request=pending,
        last_request=requests[0] if requests else None,
    )


# --- the channel team's queue ------------------------------------------------------------


def _late_cutoff() -> datetime.datetime:
    return timezone.now() - datetime.timedelta(days=EXTENSION_REVIEW_DAYS)


def extension_requests_for_review(
    queryset: QuerySet[TrialExtensionRequest] | None = None,
) -> QuerySet[TrialExtensionRequest]:
    queryset = TrialExtensionRequest.objects.all() if queryset is None else queryset
    return queryset.select_related(
        "organisation", "licence", "licence__trial", "requested_by", "decided_by"
    )


def extension_request_queue(*, status: str | None = None) -> QuerySet[TrialExtensionRequest]:
    """The staff API's list: oldest first, optionally of one status."""
    queryset = extension_requests_for_review()
    if status:
        queryset = queryset.filter(status=status)
    return queryset.order_by("created_at", "id")


def extension_requests_late(
    queryset: QuerySet[TrialExtensionRequest],
) -> QuerySet[TrialExtensionRequest]:
    return queryset.filter(status=RequestStatus.PENDING, created_at__lt=_late_cutoff())


def extension_request_age(*, request: TrialExtensionRequest) -> tuple[datetime.timedelta, bool]:
    """How long the request has waited (a decided one: how long it took), and whether it
    is past the review time."""
    age = (request.decided_at or timezone.now()) - request.created_at
    late = request.is_pending and age > datetime.timedelta(days=EXTENSION_REVIEW_DAYS)
    return age, late


def extension_queue_counts() -> QueueCounts:
    """The admin home's queue: waiting and late, in one query."""
    counts = TrialExtensionRequest.objects.filter(status=RequestStatus.PENDING).aggregate(
        waiting=Count("pk"), late=Count("pk", filter=Q(created_at__lt=_late_cutoff()))
    )
    return QueueCounts(waiting=counts["waiting"], late=counts["late"])
