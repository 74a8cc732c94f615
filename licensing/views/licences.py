"""Pages: the organisation's licences (reseller space): the list with its filters, and one
licence with its entitlements and history. A distributor also reads, without any action,
the licences it supplied to its resellers."""

from dataclasses import replace

from django.shortcuts import render
from django.urls import NoReverseMatch, path, reverse
from django.utils import timezone
from django.views.decorators.http import require_safe

from licensing.filters import LicenceFilterSet
from licensing.models import Licence
from licensing.selectors.activation import licence_activations
from licensing.selectors.licences import (
    ENDING_SOON_DAYS,
    licence_for,
    licence_is_bindable_kind,
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

#: The machines a licence's page lists (live ones first).
MACHINES_SHOWN = 20

SCOPES = [("", "All licences"), ("own", "Yours"), ("supplied", "Supplied to resellers")]


def bind_url(licence) -> str | None:
    """The page that binds the licence to a customer, where the binding page exists."""
    try:
        return reverse("licensing:licence_bind", args=[licence.pk])
    except NoReverseMatch:
        return None


def _scope_links(request, summary) -> list[dict]:
    """The distributor's "whose" tabs: the current search with another scope."""
    links = []
    for value, label in SCOPES:
        query = request.GET.copy()
        query.pop("page", None)
        query.pop("scope", None)
        if value:
            query["scope"] = value
        links.append(
            {
                "label": label,
                "url": f"?{query.urlencode()}" if query else request.path,
                "active": request.GET.get("scope", "") == value,
                "count": summary.supplied if value == "supplied" else None,
            }
        )
    return links


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
    can_bind = request.caller.role in roles.MANAGE_LICENCES
    rows = [
        licence_view(licence, organisation=organisation, today=today)
        for licence in page.object_list
    ]
    return render(
        request,
        "licensing/licences/list.html",
        {
            "page_obj": page,
            "rows": [
                replace(row, bind_url=bind_url(row.licence))
                if can_bind
                and not row.supplied
                and licence_is_bindable_kind(row.licence)
                and row.licence.status == Licence.Status.UNBOUND
                else row
                for row in rows
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
            "scopes": _scope_links(request, summary) if summary.supplied else [],
            "ending_soon_days": ENDING_SOON_DAYS,
        },
    )


@member_required
@require_safe
def licence_detail(request, licence_id):
    organisation = request.caller.organisation
    licence = licence_for(organisation=organisation, licence_id=licence_id)
    view = licence_view(licence, organisation=organisation)
    activations = list(licence_activations(licence)[:MACHINES_SHOWN])
    can_bind = (
        not view.supplied
        and request.caller.role in roles.MANAGE_LICENCES
        and licence_is_bindable_kind(licence)
        and licence.status in BINDABLE
    )
    return render(
        request,
        "licensing/licences/detail.html",
        {
            "view": view,
            "licence": licence,
            "events": list(licence.events.all()),
            "activations": activations,
            "machines_in_use": sum(1 for activation in activations if activation.is_active),
            "can_bind": can_bind,
            "bind_url": bind_url(licence) if can_bind else None,
        },
    )


urlpatterns = [
    path("licences/", licences, name="licences"),
    path("licences/<uuid:licence_id>/", licence_detail, name="licence_detail"),
]
