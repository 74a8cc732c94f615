"""What upgrades and renewals share: the licence a partner sells again, the sales that
billed it, and the sale that prices its next step.

A licence's sales are the order lines naming it (``OrderLine.licence``), oldest first: the
new sale that issued it, then its upgrades and renewals. Its *current* billing is its last
new sale or upgrade and the renewals after it: what paid for the time it runs now.
"""

from __future__ import annotations

import datetime

from django.db.models import Prefetch
from django.utils import timezone

from billing.models import Order, OrderLine, Space
from billing.selectors.sale_choices import LINKABLE_DEALS
from billing.services.pricing import LineRequest, SaleRequest
from licensing.models import BillingPeriod, Licence
from licensing.selectors.trials import OPEN_STATUSES
from partners.models import Organisation
from portal.errors import DomainError, NotFound


def licence_sales(licence: Licence) -> list[OrderLine]:
    """The order lines naming ``licence``, oldest first, each with its order."""
    return list(
        OrderLine.objects.filter(licence=licence)
        .select_related("order__deal", "product")
        .order_by("order__created_at", "order_id")
    )


def licence_sales_prefetch() -> Prefetch:
    """``licence_sales`` for a list of licences, as each licence's ``sales``."""
    return Prefetch(
        "order_lines",
        queryset=OrderLine.objects.select_related("order__deal", "product").order_by(
            "order__created_at", "order_id"
        ),
        to_attr="sales",
    )


def current_billing(sales: list[OrderLine]) -> list[OrderLine]:
    """The sales that paid for the licence's current time: its last new sale or upgrade,
    and the renewals after it."""
    start = 0
    for index, line in enumerate(sales):
        if line.order.kind in (Order.Kind.NEW, Order.Kind.UPGRADE):
            start = index
    return sales[start:]


def owned_customer_licence(*, organisation: Organisation, licence: Licence) -> Licence:
    """The partner's own customer licence (a distributor reads its resellers' but never
    sells them again; another partner's is not found)."""
    if licence.organisation_id != organisation.pk:
        raise NotFound("No such licence of yours.")
    if licence.kind != Licence.Kind.CUSTOMER:
        raise DomainError(
            "Only a licence sold to a customer is upgraded or renewed.", code="not_a_sale"
        )
    if licence.billing_period != BillingPeriod.YEARLY:
        raise DomainError(
            "A monthly subscription is billed period by period: only yearly licences are "
            "upgraded or renewed here.",
            code="monthly_subscription",
        )
    return licence


def licence_is_open(licence: Licence, *, today: datetime.date | None = None) -> bool:
    today = today or timezone.localdate()
    return licence.status in OPEN_STATUSES and licence.ends_on >= today


def last_sale(*, licence: Licence, sales: list[OrderLine]) -> OrderLine:
    if not sales:
        raise DomainError(
            "This licence was not sold through an order here: ask the channel team to change it.",
            code="no_sale",
        )
    return sales[-1]


def next_sale(
    *, organisation: Organisation, licence: Licence, previous: OrderLine, line: LineRequest
) -> SaleRequest:
    """The sale of the licence's next step, for the same customer as its last sale: the
    reseller space, its billing period, the customer's country and non-profit status, and
    the deal registration it was won with while that still counts."""
    order = previous.order
    deal = order.deal if order.deal is not None and order.deal.status in LINKABLE_DEALS else None
    return SaleRequest(
        organisation=organisation,
        billing_period=licence.billing_period,
        space=Space.RESELLER,
        lines=(line,),
        customer_country=str(order.customer_country),
        customer_nonprofit=order.customer_nonprofit,
        deal=deal,
    )


def sale_customer(*, licence: Licence, previous: OrderLine) -> dict:
    """The end customer the next order is for: who the licence is bound to, else the
    customer of its last sale."""
    order = previous.order
    return {
        "customer_name": (licence.customer_name or order.customer_name)[:200],
        "customer_email": licence.customer_email or order.customer_email,
        "customer_country": str(order.customer_country),
        "customer_nonprofit": order.customer_nonprofit,
    }
