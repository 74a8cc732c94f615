"""Page: the organisation's first-sale credit (SPEC §3.5, Xen Orchestra): its balance per
currency, when the next part of it expires, and the ledger (earned, spent, expired), one
page of it at a time. Every member reads it."""

from django.shortcuts import render
from django.urls import path
from django.views.decorators.http import require_safe

from billing.selectors.credits import credit_balances, credit_entries
from billing.services.credits import CREDIT_MONTHS
from partners import roles
from portal.pagination import page_of
from portal.tenancy.access import member_required


@member_required(roles=roles.ALL)
@require_safe
def credit_list(request):
    organisation = request.caller.organisation
    page = page_of(request, credit_entries(organisation=organisation))
    return render(
        request,
        "billing/credits/list.html",
        {
            "balances": credit_balances(organisation=organisation),
            "page_obj": page,
            "entries": page.object_list,
            "offered": organisation.partner_type.programme.first_sale_credit,
            "credit_months": CREDIT_MONTHS,
        },
    )


urlpatterns = [
    path("credits/", credit_list, name="credits"),
]
