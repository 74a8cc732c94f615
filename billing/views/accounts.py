"""Page: the organisation's billing account (who is invoiced) and the VAT its purchases
get. Every member reads; administrators and finance change it
(partners.roles.VIEW_INVOICES)."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.urls import path
from django.views.decorators.http import require_http_methods

from billing.forms.accounts_pricing import BillingAccountForm
from billing.selectors.accounts import billing_account_for, tax_outlook
from billing.services.accounts import billing_account_update
from partners import roles
from portal.errors import DomainError
from portal.tenancy.access import member_required


def _initial(account, organisation) -> dict:
    if account is None:
        return {"legal_name": organisation.name, "country": str(organisation.country)}
    return {
        "legal_name": account.legal_name,
        "address": account.address,
        "country": str(account.country),
        "vat_number": account.vat_number,
        "invoice_email": account.invoice_email,
    }


@member_required(roles=roles.ALL)
@require_http_methods(["GET", "HEAD", "POST"])
def billing_account(request):
    caller = request.caller
    organisation = caller.organisation
    can_edit = caller.role in roles.VIEW_INVOICES
    if request.method == "POST" and not can_edit:
        raise PermissionDenied("Only administrators and finance change the billing account.")
    account = billing_account_for(organisation=organisation)
    form = BillingAccountForm(request.POST or None, initial=_initial(account, organisation))
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                billing_account_update(
                    organisation=organisation,
                    actor=request.user,
                    role=caller.role,
                    data=form.cleaned_data,
                )
            except DomainError as exc:
                form.add_error(exc.field if exc.field in form.fields else None, exc.message)
            else:
                messages.success(request, "The billing account is saved.")
                return redirect("billing:account")
        status = 400
    return render(
        request,
        "billing/account.html",
        {
            "account": account,
            "form": form,
            "can_edit": can_edit,
            "outlook": tax_outlook(organisation=organisation),
        },
        status=status,
    )


urlpatterns = [
    path("billing/account/", billing_account, name="account"),
]
