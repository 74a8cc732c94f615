"""Page: the price calculator (SPEC §3.5). The same preview as ``POST
/api/v1/pricing/preview`` (billing.services.preview), every step of the engine in a table,
in the space the partner chooses: the reseller space (for a customer, at the partner's
discount) or the personal space (its own use, list price). A distributor may price a sale
for one of its resellers and then sees both layers. Asked with GET: it changes nothing."""

from django.shortcuts import render
from django.urls import path
from django.views.decorators.http import require_safe

from billing.forms.accounts_pricing import PricingForm
from billing.models import Space
from billing.selectors.resellers import attached_resellers
from billing.selectors.sale_choices import linkable_deals, sellable_products
from billing.services.preview import pricing_preview
from billing.services.reseller_terms import is_distributor
from licensing.models import BillingPeriod
from partners import roles
from partners.models import EngagementModel
from portal.errors import DomainError
from portal.tenancy.access import member_required

SPACES = {
    Space.RESELLER: "Buying for a customer: your partner discount applies, and the "
    "customer's country and status count.",
    Space.PERSONAL: "Buying for your own use: list price, no partner discount.",
}


def _space(request) -> str:
    space = request.GET.get("space")
    return space if space in Space.values else Space.RESELLER


@member_required(roles=roles.ALL)
@require_safe
def pricing_calculator(request):
    organisation = request.caller.organisation
    space = _space(request)
    products = list(sellable_products(organisation=organisation))
    deals = linkable_deals(organisation=organisation) if space == Space.RESELLER else []
    resellers = (
        list(attached_resellers(distributor=organisation))
        if space == Space.RESELLER and is_distributor(organisation)
        else []
    )
    asked = "product" in request.GET
    query = request.GET.copy()
    query.setdefault("billing_period", BillingPeriod.YEARLY)
    form = PricingForm(
        query if asked else None,
        initial={"space": space, "customer_country": str(organisation.country)},
        products=products,
        deals=deals,
        resellers=resellers,
    )
    pricing, as_distributor, status = None, False, 200
    if asked:
        if form.is_valid():
            data = {**form.cleaned_data, "space": space}
            data["deal"] = data.get("deal") or None
            data["customer_country"] = data.get("customer_country") or None
            try:
                pricing, as_distributor = pricing_preview(organisation=organisation, data=data)
            except DomainError as exc:
                form.add_error(exc.field if exc.field in form.fields else None, exc.message)
        if not form.is_valid():
            status = 400
    return render(
        request,
        "billing/pricing.html",
        {
            "form": form,
            "space": space,
            "spaces": [(value, label, SPACES[value]) for value, label in Space.choices],
            "space_text": SPACES[space],
            "pricing": pricing,
            "line": pricing.lines[0] if pricing else None,
            "as_distributor": as_distributor,
            "margin": pricing.net_amount - pricing.distributor_net if as_distributor else None,
            "reseller_name": dict(form.fields["reseller"].choices).get(query.get("reseller"))
            if as_distributor
            else "",
            "engagement": EngagementModel(pricing.engagement_model).label if pricing else "",
        },
        status=status,
    )


urlpatterns = [
    path("pricing/", pricing_calculator, name="pricing"),
]
