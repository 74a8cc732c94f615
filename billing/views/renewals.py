"""Pages: renewals (SPEC §3.10). The list of the partner's customer licences ending in the
next days, each with its renewal's price at today's rules (every member); and a licence's
renewal, previewed and placed (administrators and sales, partners.roles.BUY)."""

from __future__ import annotations

from django.contrib import messages
from django.shortcuts import redirect, render
from django.urls import path
from django.views.decorators.http import require_http_methods, require_safe

from billing.forms.licence_sales import RenewForm
from billing.selectors.credits import credit_balances
from billing.selectors.renewals import (
    DEFAULT_DAYS,
    MAX_DAYS,
    renewable_licences,
    renewals_priced,
)
from billing.services.renewals import RENEWAL_GRACE_DAYS, licence_renew, renewal_prepare
from billing.views.licence_sales import fresh_key, licence_sale_context, new_key, own_licence
from partners import roles
from portal.errors import DomainError
from portal.pagination import page_of
from portal.tenancy.access import member_required

DAY_CHOICES = (30, 60, 90)


def _days(request) -> int:
    try:
        days = int(request.GET.get("days", DEFAULT_DAYS))
    except (TypeError, ValueError):
        return DEFAULT_DAYS
    return min(max(days, 1), MAX_DAYS)


@member_required(roles=roles.ALL)
@require_safe
def renewal_list(request):
    organisation = request.caller.organisation
    days = _days(request)
    page = page_of(request, renewable_licences(organisation=organisation, days=days))
    return render(
        request,
        "billing/renewals/list.html",
        {
            "due": renewals_priced(organisation=organisation, licences=page.object_list),
            "page_obj": page,
            "days": days,
            "day_choices": DAY_CHOICES,
            "grace_days": RENEWAL_GRACE_DAYS,
            "balances": credit_balances(organisation=organisation),
            "can_buy": request.caller.role in roles.BUY,
        },
    )


@member_required(roles=roles.BUY)
@require_http_methods(["GET", "HEAD", "POST"])
def licence_renew_page(request, licence_id):
    organisation = request.caller.organisation
    licence = own_licence(request, licence_id)
    form = RenewForm(
        request.POST if request.method == "POST" else None,
        initial={"idempotency_key": new_key()},
    )
    plan, refusal, status = None, "", 200
    try:
        if request.method == "POST":
            status = 400
            if form.is_valid():
                order = licence_renew(
                    organisation=organisation,
                    actor=request.user,
                    role=request.caller.role,
                    licence_id=licence.pk,
                    idempotency_key=form.cleaned_data["idempotency_key"],
                ).order
                messages.success(
                    request,
                    f"Renewal {order.reference} is placed: {order.total} {order.currency}.",
                )
                return redirect("billing:order-detail", order_id=order.pk)
        plan = renewal_prepare(organisation=organisation, licence=licence)
    except DomainError as exc:
        refusal = exc.message
        status = 400 if request.method == "POST" else 200
    if request.method == "POST":
        fresh_key(form)
    return render(
        request,
        "billing/renewals/renew.html",
        licence_sale_context(licence=licence, form=form, plan=plan, refusal=refusal),
        status=status,
    )


urlpatterns = [
    path("renewals/", renewal_list, name="renewals"),
    path("licences/<uuid:licence_id>/renew/", licence_renew_page, name="licence-renew"),
]
