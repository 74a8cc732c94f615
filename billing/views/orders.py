"""Pages: the organisation's orders in the reseller space (and those it supplied, as a
distributor, read-only), with the list's filters and an order's priced lines, licences,
codes and deal."""

from django.shortcuts import render
from django.urls import path
from django.views.decorators.http import require_safe

from billing.models import Order, Space
from billing.selectors.invoices import invoice_amount_due, order_invoices
from billing.selectors.orders import OrderFilterSet, order_for, order_is_supplied, orders_for
from billing.selectors.payments import order_awaiting_payment
from partners import roles
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
        },
    )


urlpatterns = [
    path("orders/", order_list, name="order-list"),
    path("orders/<uuid:order_id>/", order_detail, name="order-detail"),
]
