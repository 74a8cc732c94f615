"""Pages: the organisation's orders in the reseller space (and those it supplied, as a
distributor, read-only)."""

from django.shortcuts import render
from django.urls import path
from django.views.decorators.http import require_safe

from billing.selectors.orders import order_for, orders_for
from partners import roles
from portal.pagination import page_of
from portal.tenancy.access import member_required


@member_required(roles=roles.ALL)
@require_safe
def order_list(request):
    organisation = request.caller.organisation
    page = page_of(request, orders_for(organisation=organisation))
    return render(
        request,
        "billing/orders/list.html",
        {"page_obj": page, "orders": page.object_list, "organisation": organisation},
    )


@member_required(roles=roles.ALL)
@require_safe
def order_detail(request, order_id):
    organisation = request.caller.organisation
    order = order_for(organisation=organisation, order_id=order_id)
    return render(
        request,
        "billing/orders/detail.html",
        {"order": order, "lines": list(order.lines.all()), "organisation": organisation},
    )


urlpatterns = [
    path("orders/", order_list, name="order-list"),
    path("orders/<uuid:order_id>/", order_detail, name="order-detail"),
]
