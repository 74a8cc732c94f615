"""Page: a new order, in one of the two spaces (the Xen Orchestra seed), made obvious by
tabs, the heading and the banner: the **reseller space** buys for a named customer at the
partner's discount; the **personal space** buys for the partner's own use at list price.

"Preview price" re-renders the form with every step of the engine; "Place order" places it
through ``order_place`` with the Idempotency-Key the form carried since it was rendered,
so a double submit makes one order. A refusal shows beside its field, never a 500."""

from __future__ import annotations

import secrets
from contextlib import nullcontext

from django.contrib import messages
from django.shortcuts import redirect, render
from django.urls import path
from django.views.decorators.http import require_http_methods

from billing.forms.orders import LINE_FIELDS, OrderForm, line_forms
from billing.models import Space
from billing.selectors.resellers import attached_resellers
from billing.selectors.sale_choices import linkable_deals, sellable_products
from billing.services.orders import order_place, order_place_for_reseller
from billing.services.preview import pricing_preview
from billing.services.sale_input import sale_lines_validate
from billing.services.two_tier import acting_for_reseller, attached_reseller
from partners import roles
from partners.models import EngagementModel
from portal.errors import DomainError
from portal.tenancy.access import member_required


def _space(request) -> str:
    space = request.POST.get("space") or request.GET.get("space")
    return space if space in Space.values else Space.RESELLER


def _place(*, request, data: dict, reseller_id, key: str):
    common = {
        "actor": request.user,
        "role": request.caller.role,
        "data": data,
        "idempotency_key": key,
    }
    organisation = request.caller.organisation
    if reseller_id:
        return order_place_for_reseller(distributor=organisation, reseller_id=reseller_id, **common)
    return order_place(organisation=organisation, **common)


def _catalogue_owner(*, organisation, reseller_id):
    """Whose programme's catalogue the lines are checked against: the reseller's when a
    distributor orders for it (its order, priced in its programme)."""
    if not reseller_id:
        return organisation, nullcontext()
    reseller = attached_reseller(distributor=organisation, reseller_id=reseller_id)
    return reseller, acting_for_reseller(distributor=organisation, reseller=reseller)


def _show_error(exc: DomainError, *, form, rows, organisation, reseller_id) -> None:
    """Beside its field: a line's own error on the row that caused it, found by checking
    each filled row alone against the catalogue the service used. A line error no single
    row causes (several copies of a licence line, products in two currencies) goes above
    the form, naming the line when only one is filled."""
    if exc.field not in (*LINE_FIELDS, "lines"):
        form.add_error(exc.field if exc.field in form.fields else None, exc.message)
        return
    filled = [(n, row) for n, row in enumerate(rows, 1) if row.is_valid() and row.line()]
    if not filled:  # "Add at least one product": the first row is where to start
        rows[0].add_error("product", exc.message)
        return
    if exc.field in LINE_FIELDS:
        owner, context = _catalogue_owner(organisation=organisation, reseller_id=reseller_id)
        with context:
            for _n, row in filled:
                try:
                    sale_lines_validate(organisation=owner, lines=[row.line()])
                except DomainError as row_exc:
                    row.add_error(
                        row_exc.field if row_exc.field in row.fields else None, row_exc.message
                    )
                    return
    prefix = f"Line {filled[0][0]}: " if len(filled) == 1 else ""
    form.add_error(None, f"{prefix}{exc.message}")


@member_required(roles=roles.BUY)
@require_http_methods(["GET", "HEAD", "POST"])
def order_new(request):
    organisation = request.caller.organisation
    space = _space(request)
    products = list(sellable_products(organisation=organisation))
    deals = list(linkable_deals(organisation=organisation)) if space == Space.RESELLER else []
    resellers = (
        list(attached_resellers(distributor=organisation)) if space == Space.RESELLER else []
    )
    posted = request.method == "POST"
    form = OrderForm(
        request.POST if posted else None,
        space=space,
        deals=deals,
        resellers=resellers,
        initial={"space": space, "idempotency_key": secrets.token_urlsafe(24)},
    )
    rows = line_forms(request.POST if posted else None, products=products)
    pricing = None
    both_layers = False
    status = 200
    if posted:
        status = 400
        rows_valid = all(row.is_valid() for row in rows)
        if form.is_valid() and rows_valid:
            lines = [line for row in rows if (line := row.line()) is not None]
            data = form.data_for_service(lines)
            reseller_id = form.cleaned_data["reseller"] if space == Space.RESELLER else ""
            try:
                if request.POST.get("action") == "place":
                    placed = _place(
                        request=request,
                        data=data,
                        reseller_id=reseller_id,
                        key=form.cleaned_data["idempotency_key"],
                    )
                    order = placed.order
                    messages.success(
                        request,
                        f"Order {order.reference} is placed: {order.total} {order.currency}.",
                    )
                    return redirect("billing:order-detail", order_id=order.pk)
                pricing, both_layers = pricing_preview(
                    organisation=organisation, data={**data, "reseller": reseller_id}
                )
                status = 200
            except DomainError as exc:
                _show_error(
                    exc, form=form, rows=rows, organisation=organisation, reseller_id=reseller_id
                )
                status = exc.status_code if exc.status_code != 404 else 400
    if posted:
        # A fresh key for the next submission from this render (see the module's note).
        form.data = form.data.copy()
        form.data["idempotency_key"] = secrets.token_urlsafe(24)
    return render(
        request,
        "billing/orders/new.html",
        {
            "form": form,
            "rows": rows,
            "space": space,
            "personal": space == Space.PERSONAL,
            "has_resellers": bool(resellers),
            "has_deals": bool(deals),
            "pricing": pricing,
            "both_layers": both_layers,
            "margin": pricing.net_amount - pricing.distributor_net if both_layers else None,
            "engagement_label": (
                EngagementModel(pricing.engagement_model).label if pricing else ""
            ),
        },
        status=status,
    )


urlpatterns = [
    path("orders/new/", order_new, name="order-new"),
]
