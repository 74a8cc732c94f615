"""Page: upgrade a customer's licence (SPEC §3.5): choose the bigger plan, preview it
(list, discount, the unused time's credit, net, tax) and place it. Administrators and
sales (partners.roles.BUY), for the partner's own customer licences."""

from __future__ import annotations

from django.contrib import messages
from django.shortcuts import redirect, render
from django.urls import path
from django.views.decorators.http import require_http_methods

from billing.forms.licence_sales import UpgradeForm
from billing.selectors.sale_choices import sellable_products
from billing.services.licence_sales import licence_is_open, owned_customer_licence
from billing.services.upgrades import licence_upgrade, upgrade_preview
from billing.views.licence_sales import fresh_key, licence_sale_context, new_key, own_licence
from partners import roles
from portal.errors import DomainError
from portal.tenancy.access import member_required


@member_required(roles=roles.BUY)
@require_http_methods(["GET", "HEAD", "POST"])
def licence_upgrade_page(request, licence_id):
    organisation = request.caller.organisation
    licence = own_licence(request, licence_id)
    refusal = ""
    try:
        owned_customer_licence(organisation=organisation, licence=licence)
        if not licence_is_open(licence):
            refusal = "This licence has ended: sell the customer a new one."
    except DomainError as exc:
        refusal = exc.message
    posted = request.method == "POST" and not refusal
    form = UpgradeForm(
        request.POST if posted else None,
        products=list(sellable_products(organisation=organisation)),
        initial={
            "idempotency_key": new_key(),
            "product": licence.product_code,
            "quantity": licence.quantity,
        },
    )
    plan = None
    status = 200 if not (request.method == "POST" and refusal) else 400
    if posted:
        status = 400
        if form.is_valid():
            data = form.cleaned_data
            try:
                if request.POST.get("action") == "place":
                    order = licence_upgrade(
                        organisation=organisation,
                        actor=request.user,
                        role=request.caller.role,
                        licence_id=licence.pk,
                        product=data["product"],
                        quantity=data["quantity"],
                        idempotency_key=data["idempotency_key"],
                    ).order
                    messages.success(
                        request,
                        f"Upgrade {order.reference} is placed: {order.total} {order.currency}.",
                    )
                    return redirect("billing:order-detail", order_id=order.pk)
                plan = upgrade_preview(
                    organisation=organisation,
                    licence=licence,
                    product=data["product"],
                    quantity=data["quantity"],
                )
                status = 200
            except DomainError as exc:
                form.add_error(exc.field if exc.field in form.fields else None, exc.message)
        fresh_key(form)
    return render(
        request,
        "billing/upgrades/page.html",
        licence_sale_context(licence=licence, form=form, plan=plan, refusal=refusal),
        status=status,
    )


urlpatterns = [
    path("licences/<uuid:licence_id>/upgrade/", licence_upgrade_page, name="licence-upgrade"),
]
