"""Reads for marketing development funds (SPEC §3.11): who is eligible, and where a
partner's yearly budget stands. The money rules are here once; the services check them
under the budget's row lock, the pages and the API show them.

What a request holds against its budget (``request_held``):

* submitted, approved: its cost (held from submission, so a request never promises money
  another one already asked for);
* claimed, claim approved: its cost while the claim is reviewed (the claim is at most
  the cost), then what the claim approved;
* paid: what was paid;
* rejected, cancelled: nothing (it released what it held).
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Case, Count, DecimalField, F, Q, Sum, Value, When
from django.utils import timezone

from billing.models import MdfBudget, MdfRequest
from billing.money import ZERO
from portal.admin_site import QueueCounts
from portal.business_days import business_cutoff, business_time_between

S = MdfRequest.Status

#: Requests in these statuses hold money against the budget.
HOLDING = (S.SUBMITTED, S.APPROVED, S.CLAIMED, S.CLAIM_APPROVED, S.PAID)


def mdf_eligible(organisation) -> bool:
    """Whether the organisation's programme gives it marketing development funds: its
    partner type's ``mdf_from_tier`` (Vates: distributors from tier 1, the other types
    from tier 3, order takers never) at or below its tier."""
    partner_type = organisation.partner_type
    level = organisation.tier.level if organisation.tier_id else None
    return partner_type.has_benefit_from(partner_type.mdf_from_tier, level)


def request_held(request: MdfRequest) -> Decimal:
    """What one request holds against its budget (see the module's note)."""
    if request.status in (S.SUBMITTED, S.APPROVED, S.CLAIMED):
        return request.cost
    if request.status == S.CLAIM_APPROVED:
        return request.claimed_amount or ZERO
    if request.status == S.PAID:
        return request.paid_amount or ZERO
    return ZERO


def _held_expression(prefix: str = ""):
    """``request_held`` in the database (``prefix``: the path to the request)."""
    money = DecimalField(max_digits=14, decimal_places=2)
    return Case(
        When(
            **{f"{prefix}status__in": (S.SUBMITTED, S.APPROVED, S.CLAIMED)},
            then=F(f"{prefix}cost"),
        ),
        When(**{f"{prefix}status": S.CLAIM_APPROVED}, then=F(f"{prefix}claimed_amount")),
        When(**{f"{prefix}status": S.PAID}, then=F(f"{prefix}paid_amount")),
        default=Value(ZERO),
        output_field=money,
    )


@dataclass(frozen=True)
class MdfSummary:
    """Where a budget stands, each figure in the budget's currency:

    * ``budget``: what the vendor gives for the year;
    * ``committed``: held by requests awaiting review or approved and not yet claimed
      (their costs);
    * ``claimed``: held by claims awaiting review or approved and not yet paid (the cost
      while reviewed, then the approved amount);
    * ``paid``: paid out;
    * ``remaining``: ``budget - committed - claimed - paid``, never below zero: what the
      next request may ask for.
    """

    year: int
    currency: str
    budget: Decimal
    committed: Decimal
    claimed: Decimal
    paid: Decimal

    @property
    def remaining(self) -> Decimal:
        return max(ZERO, self.budget - self.committed - self.claimed - self.paid)


def budget_summary(budget: MdfBudget) -> MdfSummary:
    """The figures of ``budget`` in one query."""
    held = _held_expression()
    totals = MdfRequest.objects.filter(budget=budget).aggregate(
        committed=Sum(held, filter=_status_in(S.SUBMITTED, S.APPROVED)),
        claimed=Sum(held, filter=_status_in(S.CLAIMED, S.CLAIM_APPROVED)),
        paid=Sum(held, filter=_status_in(S.PAID)),
    )
    return MdfSummary(
        year=budget.year,
        currency=budget.currency,
        budget=budget.amount,
        committed=totals["committed"] or ZERO,
        claimed=totals["claimed"] or ZERO,
        paid=totals["paid"] or ZERO,
    )


def _status_in(*statuses, prefix: str = ""):
    return Q(**{f"{prefix}status__in": statuses})


def budgets_with_figures(queryset):
    """Budgets annotated with ``committed``, ``claimed`` and ``paid`` (the admin's list):
    one query whatever their number."""
    held = _held_expression("requests__")
    return queryset.annotate(
        committed=Sum(held, filter=_status_in(S.SUBMITTED, S.APPROVED, prefix="requests__")),
        claimed=Sum(held, filter=_status_in(S.CLAIMED, S.CLAIM_APPROVED, prefix="requests__")),
        paid=Sum(held, filter=_status_in(S.PAID, prefix="requests__")),
    )


def summary_of_annotated(budget: MdfBudget) -> MdfSummary:
    return MdfSummary(
        year=budget.year,
        currency=budget.currency,
        budget=budget.amount,
        committed=budget.committed or ZERO,
        claimed=budget.claimed or ZERO,
        paid=budget.paid or ZERO,
    )


def budget_remaining(budget: MdfBudget) -> Decimal:
    return budget_summary(budget).remaining


def current_year() -> int:
    return timezone.localdate().year


def budget_of(organisation, year: int | None = None) -> MdfBudget | None:
    """The organisation's budget for ``year`` (this year by default), or None."""
    return MdfBudget.objects.owned_by(organisation).filter(year=year or current_year()).first()


def requests_of(organisation, year: int | None = None):
    """The organisation's requests of the year, newest first, with their claim files."""
    return (
        MdfRequest.objects.owned_by(organisation)
        .filter(budget__year=year or current_year())
        .prefetch_related("claim_files")
        .order_by("-submitted_at", "-id")
    )


# --- the channel team's review queue -----------------------------------------------------------

#: Business days the channel team takes to decide a request or a claim (the review queue's
#: "late" mark): a constant, as no programme states one for marketing funds.
MDF_REVIEW_DAYS = 5
AWAITING = (S.SUBMITTED, S.CLAIMED)


def awaiting_since(request: MdfRequest):
    """When the request started waiting for the channel team: its submission, or its
    claim."""
    return request.claimed_at if request.status == S.CLAIMED else request.submitted_at


def _late_cutoff(now):
    """Waiting since before this is past ``MDF_REVIEW_DAYS`` business days."""
    return business_cutoff(now, MDF_REVIEW_DAYS)


def _late_q(now):
    cutoff = _late_cutoff(now)
    return Q(status=S.SUBMITTED, submitted_at__lt=cutoff) | Q(
        status=S.CLAIMED, claimed_at__lt=cutoff
    )


def mdf_requests_late(queryset=None):
    queryset = MdfRequest.objects.all() if queryset is None else queryset
    return queryset.filter(_late_q(timezone.now()))


def mdf_queue_counts():
    """The admin home's queue: requests and claims waiting, and how many are late. One
    query."""
    counts = MdfRequest.objects.filter(status__in=AWAITING).aggregate(
        waiting=Count("pk"), late=Count("pk", filter=_late_q(timezone.now()))
    )
    return QueueCounts(waiting=counts["waiting"], late=counts["late"])


def mdf_review_age(request: MdfRequest, now=None) -> tuple[int, bool]:
    """Business days the request has waited for its current decision, and whether that
    is past ``MDF_REVIEW_DAYS``."""
    now = now or timezone.now()
    since = awaiting_since(request)
    waited = business_time_between(since, now)
    return waited.days, request.status in AWAITING and since < _late_cutoff(now)
