"""Reading orders: the owner's, and (as a distributor) those placed through it."""

from __future__ import annotations

import django_filters
from django.db.models import Count, Prefetch, Q, QuerySet

from billing.models import Order, OrderLine, RedemptionCode, Space
from partners.models import Organisation
from portal.filters import TextSearchFilter
from portal.tenancy.models import get_for_tenant_or_404


def orders_for(*, organisation: Organisation) -> QuerySet[Order]:
    """The orders the organisation owns or supplied, newest first, with what a list
    shows: one query for a page whatever its length."""
    return (
        Order.objects.for_tenant(organisation)
        .select_related("organisation", "distributor")
        .order_by("-created_at", "-id")
    )


def order_lines() -> Prefetch:
    """An order's lines with their licence and how many redemption codes each made."""
    return Prefetch(
        "lines",
        queryset=OrderLine.objects.select_related("licence")
        .annotate(code_count=Count("codes"))
        .order_by("position"),
    )


def order_for(*, organisation: Organisation, order_id) -> Order:
    """One order the organisation may read (404 for a missing one and another's alike),
    with its lines."""
    return get_for_tenant_or_404(
        Order.objects.select_related(
            "organisation__partner_type__programme", "distributor", "deal"
        ).prefetch_related(order_lines()),
        organisation,
        pk=order_id,
    )


def order_is_supplied(order: Order, *, organisation: Organisation) -> bool:
    """True when ``organisation`` reads the order as the distributor it was placed through."""
    return order.organisation_id != organisation.pk


def order_codes(*, order: Order) -> QuerySet[RedemptionCode]:
    """The redemption codes of an order's lines, line by line."""
    return (
        RedemptionCode.objects.filter(line__order=order)
        .select_related("line")
        .order_by("line__position", "created_at", "code")
    )


# --- filters (the reseller space's list and the API share them) -------------------------


class OrderFilterSet(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(
        choices=Order.Status.choices,
        label="Status",
        error_messages={"invalid_choice": "%(value)s is not an order status."},
    )
    space = django_filters.ChoiceFilter(
        choices=Space.choices,
        label="Space",
        error_messages={"invalid_choice": "%(value)s is not a space."},
    )
    supplied = django_filters.BooleanFilter(
        method="filter_supplied",
        label="Supplied through you (distributors)",
        help_text="true: the orders placed through you; false: your own.",
    )
    customer = TextSearchFilter(
        fields=("customer_name", "customer_email"), max_length=200, label="Customer (name or email)"
    )
    search = TextSearchFilter(
        fields=("reference", "customer_name", "customer_email"),
        max_length=200,
        label="Search (reference, customer)",
    )
    ordering = django_filters.OrderingFilter(
        fields=(("created_at", "created_at"), ("total", "total"), ("reference", "reference")),
        label="Order by",
    )

    class Meta:
        model = Order
        fields: list[str] = []

    def _organisation_id(self):
        return self.request.caller.organisation.pk

    def filter_supplied(self, queryset, name, value):
        if value is None:
            return queryset
        own = Q(organisation_id=self._organisation_id())
        return queryset.exclude(own) if value else queryset.filter(own)
