"""Page: the programme's products and prices (reseller space), for every member."""

from django.shortcuts import render
from django.urls import path
from django.views.decorators.http import require_safe

from licensing.selectors.catalogue import catalogue_for, product_cards
from portal.pagination import page_of
from portal.tenancy.access import member_required


@member_required
@require_safe
def catalogue(request):
    organisation = request.caller.organisation
    page = page_of(request, catalogue_for(organisation=organisation))
    return render(
        request,
        "licensing/catalogue/catalogue.html",
        {
            "page_obj": page,
            "cards": product_cards(page.object_list),
            "programme": organisation.partner_type.programme,
        },
    )


urlpatterns = [path("catalogue/", catalogue, name="catalogue")]
