"""What a sale may name: the partner's sellable products and its deal registrations an
order or quote may link. The forms offer these and billing.services.sale_input accepts
exactly these, so a choice shown is a choice accepted."""

from __future__ import annotations

from django.db.models import QuerySet

from deals.models import Deal
from licensing.models import Product
from partners.models import Organisation

#: A deal a sale may name: approved (protected), or already won by an earlier order.
LINKABLE_DEALS = (Deal.Status.APPROVED, Deal.Status.WON)


def sellable_products(*, organisation: Organisation) -> QuerySet[Product]:
    """The partner's programme's active products, in the catalogue's order, with plans."""
    return (
        Product.objects.filter(programme_id=organisation.partner_type.programme_id, is_active=True)
        .prefetch_related("plans")
        .order_by("position", "name")
    )


def linkable_deals(*, organisation: Organisation) -> QuerySet[Deal]:
    """The organisation's registrations a sale may name, newest first."""
    return (
        Deal.objects.owned_by(organisation)
        .filter(status__in=LINKABLE_DEALS)
        .select_related("product")
        .order_by("-submitted_at", "-id")
    )
