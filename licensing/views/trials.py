"""Pages: trials / PoCs in the reseller space (SPEC §3.7).

``/space/trials/`` lists the organisation's trials with the days left and requests a new
one; ``/space/trials/<id>/`` shows one trial with its extend form (within the programme's
maximum) or its extension request form (beyond). Every change calls one service of
licensing/services/trials.py, as the API does.
"""

from django.contrib import messages
from django.shortcuts import redirect, render
from django.urls import path
from django.views.decorators.http import require_http_methods

from licensing.forms.trials import TrialExtendForm, TrialExtensionRequestForm, TrialRequestForm
from licensing.selectors.trials import trial_products, trial_queryset, trial_row, trials_for
from licensing.services.trials import trial_extend, trial_extension_request, trial_request
from licensing.views.submit import REFUSED, require_manager, submit_form
from partners import roles
from portal.formats import format_date
from portal.pagination import page_of
from portal.tenancy.access import member_required
from portal.tenancy.models import get_for_tenant_or_404

_NOT_A_MANAGER = "Your role cannot request or change trials."


@member_required
@require_http_methods(["GET", "HEAD", "POST"])
def trials(request):
    caller = request.caller
    organisation = caller.organisation
    programme = organisation.partner_type.programme
    products = list(trial_products(organisation=organisation))
    form = TrialRequestForm(products=products)
    status = 200
    if request.method == "POST":
        require_manager(caller, _NOT_A_MANAGER)
        form = TrialRequestForm(request.POST, products=products)
        licence = submit_form(form, trial_request, caller=caller)
        if licence is not REFUSED:
            messages.success(
                request,
                f"Trial for {licence.customer_name} issued: {licence.product_name} "
                f"x {licence.quantity} until {format_date(licence.ends_on)}.",
            )
            return redirect("licensing:trials")
        status = 400
    page = page_of(request, trials_for(organisation=organisation))
    return render(
        request,
        "licensing/trials/list.html",
        {
            "page_obj": page,
            "rows": [trial_row(licence=licence, programme=programme) for licence in page],
            "form": form,
            "can_manage": caller.role in roles.MANAGE_LICENCES,
            "programme": programme,
        },
        status=status,
    )


@member_required
@require_http_methods(["GET", "HEAD", "POST"])
def trial_detail(request, pk):
    caller = request.caller
    organisation = caller.organisation
    programme = organisation.partner_type.programme
    if request.method == "POST":
        # Before the look-up: a role refused is refused for any id.
        require_manager(caller, _NOT_A_MANAGER)
    licence = get_for_tenant_or_404(trial_queryset().owned_by(organisation), organisation, pk=pk)
    extend_form = TrialExtendForm()
    extension_form = TrialExtensionRequestForm()
    status = 200
    if request.method == "POST":
        action = request.POST.get("action")
        if action == "extend":
            extend_form = TrialExtendForm(request.POST)
            form, service = extend_form, trial_extend
        elif action == "extension_request":
            extension_form = TrialExtensionRequestForm(request.POST)
            form, service = extension_form, trial_extension_request
        else:
            messages.error(request, "Unknown action.")
            return redirect("licensing:trial_detail", pk=licence.pk)
        if submit_form(form, service, caller=caller, licence=licence) is not REFUSED:
            messages.success(
                request,
                "Trial extended."
                if action == "extend"
                else "Extension request sent to the channel team; you will get their "
                "answer by email.",
            )
            return redirect("licensing:trial_detail", pk=licence.pk)
        status = 400
    row = trial_row(licence=licence, programme=programme)
    if not extend_form.is_bound and row.may_extend:
        extend_form = TrialExtendForm(initial={"ends_on": row.max_ends_on})
    return render(
        request,
        "licensing/trials/detail.html",
        {
            "row": row,
            "licence": licence,
            "trial": getattr(licence, "trial", None),
            "requests": list(licence.extension_requests.all()),
            "extend_form": extend_form,
            "extension_form": extension_form,
            "can_manage": caller.role in roles.MANAGE_LICENCES,
            "programme": programme,
        },
        status=status,
    )


urlpatterns = [
    path("trials/", trials, name="trials"),
    path("trials/<uuid:pk>/", trial_detail, name="trial_detail"),
]
