"""Page: marketing development funds (SPEC §3.11) at /space/mdf/: this year's budget and
where it stands, the request form, the requests with their status, and the claim form of
each approved one. Administrators and sales people (``roles.MANAGE_MDF``); an organisation
whose partner type and tier give no funds is told so."""

from django.contrib import messages
from django.shortcuts import redirect, render
from django.urls import path
from django.views.decorators.http import require_http_methods

from billing.forms.mdf import MdfClaimForm, MdfRequestForm
from billing.models import MdfRequest
from billing.selectors.mdf import budget_of, budget_summary, mdf_eligible, requests_of
from billing.services.mdf import mdf_claim_submit, mdf_request_submit
from partners import roles
from portal.errors import DomainError
from portal.pagination import page_of
from portal.tenancy.access import member_required
from portal.tenancy.models import get_for_tenant_or_404


def _page(request, *, form=None, claim_form=None, claim_for=None, status=200):
    organisation = request.caller.organisation
    budget = budget_of(organisation)
    page = page_of(request, requests_of(organisation) if budget else MdfRequest.objects.none())
    for item in page.object_list:
        if item.status == MdfRequest.Status.APPROVED:
            # Each approved request has its claim form, with ids of its own.
            item.claim_form = (
                claim_form if claim_for == item.pk and claim_form else _claim_form(item.pk)
            )
    return render(
        request,
        "billing/mdf/page.html",
        {
            "eligible": mdf_eligible(organisation),
            "budget": budget,
            "summary": budget_summary(budget) if budget else None,
            "page_obj": page,
            "requests": page.object_list,
            "form": form or MdfRequestForm(),
            "claim_for": claim_for,
        },
        status=status,
    )


def _claim_form(pk, *args):
    return MdfClaimForm(*args, auto_id=f"id_claim_{pk}_%s")


def _form_error(form, exc: DomainError, request):
    if exc.field in form.fields:
        form.add_error(exc.field, exc.message)
    else:
        messages.error(request, exc.message)


@member_required(roles=roles.MANAGE_MDF)
@require_http_methods(["GET", "HEAD", "POST"])
def mdf_page(request):
    if request.method != "POST":
        return _page(request)
    form = MdfRequestForm(request.POST)
    if form.is_valid():
        try:
            mdf_request_submit(
                organisation=request.caller.organisation,
                actor=request.user,
                role=request.caller.role,
                data=form.cleaned_data,
            )
        except DomainError as exc:
            _form_error(form, exc, request)
        else:
            messages.success(request, "Your request is with the channel team.")
            return redirect("billing:mdf")
    return _page(request, form=form, status=400)


@member_required(roles=roles.MANAGE_MDF)
@require_http_methods(["GET", "HEAD", "POST"])
def mdf_claim(request, pk):
    organisation = request.caller.organisation
    mdf_request = get_for_tenant_or_404(MdfRequest.objects.all(), organisation, pk=pk)
    if request.method != "POST":
        return _page(request, claim_for=mdf_request.pk)
    form = _claim_form(mdf_request.pk, request.POST, request.FILES)
    if form.is_valid():
        try:
            mdf_claim_submit(
                organisation=organisation,
                actor=request.user,
                role=request.caller.role,
                request_id=mdf_request.pk,
                amount=form.cleaned_data["amount"],
                files=form.cleaned_data["files"],
                note=form.cleaned_data["note"],
            )
        except DomainError as exc:
            _form_error(form, exc, request)
        else:
            messages.success(request, "Your claim is with the channel team.")
            return redirect("billing:mdf")
    return _page(request, claim_form=form, claim_for=mdf_request.pk, status=400)


urlpatterns = [
    path("mdf/", mdf_page, name="mdf"),
    path("mdf/requests/<uuid:pk>/claim/", mdf_claim, name="mdf-claim"),
]
