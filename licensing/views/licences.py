"""Pages: the organisation's licences (reseller space): the list with its filters, and one
licence with its entitlements and history. A distributor also reads, without any action,
the licences it supplied to its resellers."""

from django.shortcuts import render
from django.urls import path
from django.utils import timezone
from django.views.decorators.http import require_safe

from licensing.filters import LicenceFilterSet
from licensing.models import Licence
from licensing.selectors.licences import (
    ENDING_SOON_DAYS,
    licence_for,
    licence_product_choices,
    licence_summary,
    licence_view,
    licences_for,
)
from partners import roles
from portal.pagination import page_of
from portal.tenancy.access import member_required

#: The statuses a partner may still bind (or rebind) to a customer.
BINDABLE = frozenset({Licence.Status.UNBOUND, Licence.Status.BOUND})


@member_required
@require_safe
def licences(request):
    organisation = request.caller.organisation
    filterset = LicenceFilterSet(
        request.GET, queryset=licences_for(organisation=organisation), request=request
    )
    valid = filterset.is_valid()
    items = filterset.qs if valid else licences_for(organisation=organisation).none()
    page = page_of(request, items)
    today = timezone.localdate()
    summary = licence_summary(organisation=organisation)
    return render(
        request,
        "licensing/licences/list.html",
        {
            "page_obj": page,
            "rows": [
                licence_view(licence, organisation=organisation, today=today)
                for licence in page.object_list
            ],
            "filters": filterset.form,
            "filters_valid": valid,
            "filtered": any(
                filterset.form.data.get(name) for name in filterset.filters if name != "ordering"
            ),
            "options": {
                "statuses": Licence.Status.choices,
                "kinds": Licence.Kind.choices,
                "products": licence_product_choices(organisation=organisation),
            },
            "summary": summary,
            "can_bind": request.caller.role in roles.MANAGE_LICENCES,
            "ending_soon_days": ENDING_SOON_DAYS,
        },
    )


@member_required
@require_safe
def licence_detail(request, licence_id):
    organisation = request.caller.organisation
    licence = licence_for(organisation=organisation, licence_id=licence_id)
    view = licence_view(licence, organisation=organisation)
    return render(
        request,
        "licensing/licences/detail.html",
        {
            "view": view,
            "licence": licence,
            "events": list(licence.events.all()),
            "can_bind": (
                not view.supplied
                and request.caller.role in roles.MANAGE_LICENCES
                and licence.status in BINDABLE
            ),
        },
    )


urlpatterns = [
    path("licences/", licences, name="licences"),
    path("licences/<uuid:licence_id>/", licence_detail, name="licence_detail"),
]
