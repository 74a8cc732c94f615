"""Pages: the partner's own licences for internal use (SPEC §3.7): NFR licences
(``/space/nfr/``) and, for the partner types that get one, the partner evaluation licence
(``/space/evaluation/``). Each change calls one service, as the API does."""

from django.contrib import messages
from django.shortcuts import redirect, render
from django.urls import path
from django.views.decorators.http import require_http_methods

from licensing.forms.trials import EvaluationRequestForm, NfrRequestForm
from licensing.selectors.evaluation import (
    RENEWAL_WINDOW_DAYS,
    evaluation_requests_for,
    evaluation_status,
)
from licensing.selectors.nfr import nfr_eligibility, nfr_licences_for, nfr_products
from licensing.services.evaluation import evaluation_request
from licensing.services.nfr import nfr_request
from licensing.views.submit import REFUSED, require_manager, submit_form
from partners import roles
from portal.formats import format_date
from portal.pagination import page_of
from portal.tenancy.access import member_required

_NOT_A_MANAGER = "Your role cannot request licences."


@member_required
@require_http_methods(["GET", "HEAD", "POST"])
def nfr(request):
    caller = request.caller
    organisation = caller.organisation
    eligibility = nfr_eligibility(organisation=organisation)
    products = nfr_products(organisation=organisation)
    offered = [row["product"] for row in products if not row["held"]]
    form = NfrRequestForm(products=offered)
    status = 200
    if request.method == "POST":
        require_manager(caller, _NOT_A_MANAGER)
        form = NfrRequestForm(request.POST, products=[row["product"] for row in products])
        licence = submit_form(form, nfr_request, caller=caller)
        if licence is not REFUSED:
            messages.success(
                request,
                f"NFR licence issued: {licence.product_name} x {licence.quantity} until "
                f"{format_date(licence.ends_on)}.",
            )
            return redirect("licensing:nfr")
        status = 400
    page = page_of(request, nfr_licences_for(organisation=organisation))
    return render(
        request,
        "licensing/internal_use/nfr.html",
        {
            "eligibility": eligibility,
            "products": products,
            "form": form,
            "page_obj": page,
            "licences": page.object_list,
            "can_manage": caller.role in roles.MANAGE_LICENCES,
            "evaluation_offered": organisation.partner_type.evaluation_licence_users is not None,
        },
        status=status,
    )


@member_required
@require_http_methods(["GET", "HEAD", "POST"])
def evaluation(request):
    caller = request.caller
    organisation = caller.organisation
    current = evaluation_status(organisation=organisation)
    form = EvaluationRequestForm(max_users=current.max_users)
    status = 200
    if request.method == "POST":
        require_manager(caller, _NOT_A_MANAGER)
        form = EvaluationRequestForm(request.POST, max_users=current.max_users)
        if submit_form(form, evaluation_request, caller=caller) is not REFUSED:
            messages.success(
                request,
                "Request sent to the channel team; the licence comes by email once approved.",
            )
            return redirect("licensing:evaluation")
        status = 400
    page = page_of(request, evaluation_requests_for(organisation=organisation))
    return render(
        request,
        "licensing/internal_use/evaluation.html",
        {
            "status": current,
            "form": form,
            "page_obj": page,
            "requests": page.object_list,
            "can_manage": caller.role in roles.MANAGE_LICENCES,
            "renewal_days": RENEWAL_WINDOW_DAYS,
        },
        status=status,
    )


urlpatterns = [
    path("nfr/", nfr, name="nfr"),
    path("evaluation/", evaluation, name="evaluation"),
]
