"""Reading deal registrations: a partner's own list (with its filters), the catalogue a
partner may register, who holds an opportunity, and the channel team's review queue."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from datetime import timedelta

import django_filters
from django import forms
from django.db.models import (
    Count,
    DateTimeField,
    DurationField,
    ExpressionWrapper,
    F,
    Q,
    QuerySet,
    Value,
)
from django.utils import timezone

from deals.models import Deal
from licensing.models import Product
from partners.models import EngagementModel, Organisation
from portal.admin_site import QueueCounts
from portal.filters import TextSearchFilter
from portal.tenancy.context import system_context

#: The one system context that reads across tenants for a submission: whether an
#: opportunity is held by another partner. It answers a boolean, nothing else.
OPPORTUNITY_CHECK = "deals:opportunity-check"


def deals_for(*, organisation: Organisation) -> QuerySet[Deal]:
    """The organisation's registrations, newest first, with what a list shows: one
    query for a page whatever its length."""
    return (
        Deal.objects.for_tenant(organisation)
        .select_related("product")
        .order_by("-submitted_at", "-id")
    )


def deal_for(*, organisation: Organisation, deal_id) -> Deal:
    """One of the organisation's registrations (``Deal.DoesNotExist`` otherwise, for a
    missing id and for another partner's alike)."""
    return deals_for(organisation=organisation).get(pk=deal_id)


def deal_history(*, deal: Deal) -> list:
    return list(deal.events.select_related("actor").order_by("at", "id"))


def deal_products(*, organisation: Organisation) -> QuerySet[Product]:
    """The catalogue products a partner may register a deal for: its programme's active
    products, in the catalogue's order."""
    return Product.objects.filter(
        programme_id=organisation.partner_type.programme_id, is_active=True
    ).order_by("position", "name")


def opportunity_held_by_another(
    *, customer_domain: str, product_id: int, organisation_id, exclude_deal_id=None
) -> bool:
    """Whether another partner holds an approved registration for the opportunity.

    A partner cannot see another's rows (row-level security), so the look-up runs in the
    narrow ``deals:opportunity-check`` system context and returns only a boolean: never
    which partner, which registration or until when."""
    with system_context(OPPORTUNITY_CHECK):
        held = Deal.objects.filter(
            customer_domain=customer_domain, product_id=product_id, status=Deal.Status.APPROVED
        ).exclude(organisation_id=organisation_id)
        if exclude_deal_id is not None:
            held = held.exclude(pk=exclude_deal_id)
        return held.exists()


def opportunity_holder(*, deal: Deal) -> Deal | None:
    """For the channel team (who see every partner): the approved registration of another
    partner that holds ``deal``'s opportunity, if any."""
    return (
        Deal.objects.filter(
            customer_domain=deal.customer_domain,
            product_id=deal.product_id,
            status=Deal.Status.APPROVED,
        )
        .exclude(pk=deal.pk)
        .select_related("organisation")
        .first()
    )


# --- filters (the reseller space's list and the API share them) -------------------------


class _DateField(forms.DateField):
    default_error_messages = {"invalid": "Give a date as YYYY-MM-DD."}


class _DateFilter(django_filters.DateFilter):
    field_class = _DateField


class DealFilterSet(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(
        choices=Deal.Status.choices,
        label="Status",
        error_messages={"invalid_choice": "%(value)s is not a deal status."},
    )
    engagement_model = django_filters.ChoiceFilter(
        choices=EngagementModel.choices,
        label="Engagement model",
        error_messages={"invalid_choice": "%(value)s is not an engagement model."},
    )
    customer = TextSearchFilter(
        fields=("customer_name", "customer_domain"),
        max_length=200,
        label="Customer (name or domain)",
    )
    search = TextSearchFilter(
        fields=("reference", "customer_name", "customer_domain", "customer_email", "notes"),
        max_length=200,
        label="Search (reference, customer, domain, contact)",
    )
    submitted_from = _DateFilter(method="filter_submitted_from", label="Submitted from")
    submitted_to = _DateFilter(method="filter_submitted_to", label="Submitted until")
    close_from = _DateFilter(
        field_name="expected_close_date", lookup_expr="gte", label="Expected close from"
    )
    close_to = _DateFilter(
        field_name="expected_close_date", lookup_expr="lte", label="Expected close until"
    )

    class Meta:
        model = Deal
        fields: list[str] = []

    def filter_submitted_from(self, queryset, name, value: datetime.date):
        return queryset.filter(submitted_at__gte=_day_start(value))

    def filter_submitted_to(self, queryset, name, value: datetime.date):
        return queryset.filter(submitted_at__lt=_day_start(value + timedelta(days=1)))


def _day_start(day: datetime.date) -> datetime.datetime:
    return datetime.datetime.combine(day, datetime.time.min, tzinfo=datetime.UTC)


# --- the channel team's review queue -------------------------------------------------------


def _review_due_at():
    """When a registration's review is due: since it came for review + the programme's
    deal review days, in SQL (for filters and counts over many rows)."""
    return ExpressionWrapper(
        F("review_since")
        + ExpressionWrapper(
            F("product__programme__deal_review_days") * Value(timedelta(days=1)),
            output_field=DurationField(),
        ),
        output_field=DateTimeField(),
    )


def deals_waiting(queryset: QuerySet[Deal] | None = None) -> QuerySet[Deal]:
    queryset = Deal.objects.all() if queryset is None else queryset
    return queryset.filter(status__in=Deal.WAITING)


def deals_late(queryset: QuerySet[Deal]) -> QuerySet[Deal]:
    """The registrations of ``queryset`` waiting for review past the programme's time."""
    return (
        deals_waiting(queryset)
        .alias(review_due_at=_review_due_at())
        .filter(review_due_at__lt=timezone.now())
    )


def deal_queue_counts() -> QueueCounts:
    """The admin home's deal queue: how many wait for a decision (submitted or in
    conflict) and how many of those are past the review time. One query."""
    counts = (
        deals_waiting()
        .alias(review_due_at=_review_due_at())
        .aggregate(
            waiting=Count("pk"),
            late=Count("pk", filter=Q(review_due_at__lt=timezone.now())),
        )
    )
    return QueueCounts(waiting=counts["waiting"], late=counts["late"])


@dataclass(frozen=True)
class ReviewAge:
    days: int
    review_days: int
    late: bool


def deal_review_age(*, deal: Deal, now: datetime.datetime | None = None) -> ReviewAge:
    """How long a registration has waited for the channel team against its programme's
    review time (no query when the product's programme is loaded)."""
    now = now or timezone.now()
    review_days = deal.product.programme.deal_review_days
    waited = now - deal.review_since
    late = deal.status in Deal.WAITING and waited > timedelta(days=review_days)
    return ReviewAge(days=max(waited.days, 0), review_days=review_days, late=late)
