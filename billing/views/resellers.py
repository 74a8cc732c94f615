"""Page for distributors (SPEC §1 two-tier): the resellers attached to it, the discount
each gets, and a reference sale's two price layers so that the margin is visible. Other
partners get 403. Every member of a distributor reads; administrators set discounts."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.urls import path
from django.views.decorators.http import require_http_methods

from billing.forms.accounts_pricing import DiscountForm
from billing.selectors.resellers import (
    attached_resellers,
    default_discount,
    reference_sale,
    resale_discounts,
    reseller_terms,
)
from billing.services.reseller_terms import (
    NOT_A_DISTRIBUTOR,
    SET_DISCOUNTS,
    is_distributor,
    reseller_discount_set,
)
from partners import roles
from portal.errors import DomainError
from portal.pagination import page_of
from portal.tenancy.access import member_required


@member_required(roles=roles.ALL)
@require_http_methods(["GET", "HEAD", "POST"])
def resellers(request):
    caller = request.caller
    distributor = caller.organisation
    if not is_distributor(distributor):
        raise PermissionDenied(NOT_A_DISTRIBUTOR)
    can_edit = caller.role in SET_DISCOUNTS
    if request.method == "POST" and not can_edit:
        raise PermissionDenied("Only administrators set the discounts your resellers get.")
    form = DiscountForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                reseller_discount_set(
                    distributor=distributor,
                    actor=request.user,
                    role=caller.role,
                    reseller=form.cleaned_data["reseller"],
                    percent=form.cleaned_data["percent"],
                )
            except DomainError as exc:
                form.add_error(exc.field if exc.field in form.fields else None, exc.message)
            else:
                messages.success(request, "The discount is saved.")
                return redirect("billing:resellers")
        status = 400
    discounts = resale_discounts(distributor=distributor)
    default = default_discount(discounts)
    page = page_of(request, attached_resellers(distributor=distributor))
    return render(
        request,
        "billing/resellers.html",
        {
            "page_obj": page,
            "terms": reseller_terms(resellers=page.object_list, discounts=discounts),
            "default_percent": default,
            "reference": reference_sale(distributor=distributor, reseller_percent=default),
            "form": form,
            "can_edit": can_edit,
        },
        status=status,
    )


urlpatterns = [
    path("resellers/", resellers, name="resellers"),
]
