"""Reading orders: the owner's, and (as a distributor) those placed through it."""

from __future__ import annotations

from django.db.models import QuerySet
from django.http import Http404

from billing.models import Order
from partners.models import Organisation
from portal.tenancy.models import get_for_tenant_or_404


def orders_for(*, organisation: Organisation) -> QuerySet[Order]:
    """The orders the organisation owns or supplied, newest first, with what a list
    shows: one query for a page whatever its length."""
    return (
        Order.objects.for_tenant(organisation)
        .select_related("organisation", "distributor")
        .order_by("-created_at", "-id")
    )


def order_for(*, organisation: Organisation, order_id) -> Order:
    """One order the organisation may read (404 for a missing one and another's alike)."""
    order = get_for_tenant_or_404(
        Order.objects.select_related("organisation", "distributor", "deal"),
        organisation,
        pk=order_id,
    )
    if order is None:  # pragma: no cover - get_for_tenant_or_404 raises
        raise Http404
    return order


def order_is_supplied(order: Order, *, organisation: Organisation) -> bool:
    """True when ``organisation`` reads the order as the distributor it was placed through."""
    return order.organisation_id != organisation.pk
