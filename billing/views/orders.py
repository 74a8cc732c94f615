"""Pages: the organisation's orders in the reseller space (and those it supplied, as a
distributor, read-only), with the list's filters and an order's priced lines, licences,
codes and deal."""

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import path
from django.utils import timezone
from django.views.decorators.http import require_POST, require_safe

from billing.models import Order, Space
from billing.selectors.invoices import invoice_amount_due, order_invoices
from billing.selectors.orders import OrderFilterSet, order_for, order_is_supplied, orders_for
from billing.selectors.payments import order_awaiting_payment
from billing.services.subscriptions import (
    current_period_start,
    subscription_cancel,
    subscription_ended,
    subscription_resume,
)
from licensing.models import BillingPeriod
from licensing.services.licences import add_months
from partners import roles
from portal.errors import DomainError, NotFound
from portal.pagination import filtered_page
from portal.tenancy.access import member_required

_FILTERS = ("status", "space", "supplied", "search")


@member_required(roles=roles.ALL)
@require_safe
def order_list(request):
    organisation = request.caller.organisation
    orders = orders_for(organisation=organisation)
    filterset = OrderFilterSet(request.GET, queryset=orders, request=request)
    listing = filtered_page(request, filterset, filters=_FILTERS)
    return render(
        request,
        "billing/orders/list.html",
        {
            **listing,
            "orders": listing["page_obj"].object_list,
            "organisation": organisation,
            "statuses": Order.Status.choices,
            "spaces": Space.choices,
            "can_buy": request.caller.role in roles.BUY,
            "is_distributor": organisation.resellers.exists(),
        },
    )


@member_required(roles=roles.ALL)
@require_safe
def order_detail(request, order_id):
    organisation = request.caller.organisation
    order = order_for(organisation=organisation, order_id=order_id)
    invoices = order_invoices(order=order, organisation=organisation)
    if invoices:  # the one the page says how to pay
        invoices[-1].amount_due = invoice_amount_due(invoices[-1])
    supplied = order_is_supplied(order, organisation=organisation)
    lines = list(order.lines.all())
    programme = order.organisation.partner_type.programme
    return render(
        request,
        "billing/orders/detail.html",
        {
            "order": order,
            "lines": lines,
            "organisation": organisation,
            "supplied": supplied,
            "has_codes": not supplied and any(line.code_count for line in lines),
            "margin": order.net_amount - order.distributor_net if supplied else None,
            "sees_invoices": request.caller.role in roles.VIEW_INVOICES,
            "invoices": invoices,
            "payment_hold": order_awaiting_payment(order),
            "releases_on_payment": programme.hold_licences_until_paid,
            "subscription": _subscription(order, request=request, supplied=supplied),
        },
    )


def _subscription(order, *, request, supplied: bool) -> dict | None:
    """A monthly order's subscription: when the next month is billed, or when it ends."""
    if order.billing_period != BillingPeriod.MONTHLY or order.status == order.Status.CANCELLED:
        return None
    today = timezone.localdate()
    return {
        "next_period": add_months(current_period_start(order, today=today), 1),
        "can_change": not supplied and request.caller.role in roles.BUY,
        "ended": subscription_ended(order, today=today),
    }


_SUBSCRIPTION_ACTIONS = {
    "cancel": (
        subscription_cancel,
        "The subscription is cancelled: its licences run to {end:%d %b %Y}, and no later "
        "month is billed.",
    ),
    "resume": (subscription_resume, "The subscription runs on: each month is billed as before."),
}


@member_required(roles=roles.BUY)
@require_POST
def order_subscription(request, order_id, action):
    """Cancel a monthly subscription at the end of the month billed, or take that back."""
    organisation = request.caller.organisation
    order = order_for(organisation=organisation, order_id=order_id)
    if action not in _SUBSCRIPTION_ACTIONS:
        raise Http404
    service, done = _SUBSCRIPTION_ACTIONS[action]
    try:
        order = service(
            organisation=organisation, order=order, actor=request.user, role=request.caller.role
        )
    except NotFound as exc:  # not its own: a distributor reads what it supplied, no more
        raise Http404(exc.message) from None
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, done.format(end=order.subscription_end))
    return redirect("billing:order-detail", order_id=order.pk)


urlpatterns = [
    path("orders/", order_list, name="order-list"),
    path("orders/<uuid:order_id>/", order_detail, name="order-detail"),
    path(
        "orders/<uuid:order_id>/subscription/<slug:action>/",
        order_subscription,
        name="order-subscription",
    ),
]
