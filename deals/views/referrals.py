"""Pages: referral leads and the commission statement (reseller space). Every member reads;
administrators and sales submit leads (partners.roles.REGISTER_DEALS)."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.urls import path
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_safe

from deals.forms.registrations import ReferralForm
from deals.selectors.referrals import (
    commission_statement,
    referral_commission_percent,
    referral_leads_for,
)
from deals.services.referrals import referral_submit
from partners import roles
from portal.errors import DomainError
from portal.pagination import page_of
from portal.tenancy.access import member_required


@member_required(roles=roles.ALL)
@require_http_methods(["GET", "HEAD", "POST"])
def referrals(request):
    caller = request.caller
    organisation = caller.organisation
    can_submit = caller.role in roles.REGISTER_DEALS
    if request.method == "POST" and not can_submit:
        raise PermissionDenied("Your role does not allow submitting referrals.")
    percent = referral_commission_percent(organisation=organisation)
    form = ReferralForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                lead = referral_submit(
                    organisation=organisation,
                    actor=request.user,
                    role=caller.role,
                    data=form.cleaned_data,
                )
            except DomainError as exc:
                form.add_error(exc.field if exc.field in form.fields else None, exc.message)
            else:
                messages.success(request, f"{lead.reference} is submitted: thank you.")
                return redirect("deals:referrals")
        status = 400
    page = page_of(request, referral_leads_for(organisation=organisation))
    return render(
        request,
        "deals/referrals/referrals.html",
        {
            "page_obj": page,
            "leads": page.object_list,
            "form": form,
            "can_submit": can_submit and percent is not None,
            "commission_percent": percent,
        },
        status=status,
    )


@member_required(roles=roles.ALL)
@require_safe
def statement(request):
    this_year = timezone.localdate().year
    try:
        year = int(request.GET.get("year", this_year))
    except ValueError:
        year = this_year
    if not 2000 <= year <= 2100:
        year = this_year
    found = commission_statement(organisation=request.caller.organisation, year=year)
    page = page_of(request, found.lines)
    return render(
        request,
        "deals/referrals/statement.html",
        {
            "statement": found,
            "page_obj": page,
            "lines": page.object_list,
            "years": list(range(this_year, this_year - 5, -1)),
        },
    )


urlpatterns = [
    path("referrals/", referrals, name="referrals"),
    path("referrals/statement/", statement, name="referrals_statement"),
]
