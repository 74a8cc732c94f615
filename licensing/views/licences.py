"""Pages: the organisation's licences (reseller space): the list with its filters, and one
licence with its entitlements, machines and history. The roles that manage licences
release a machine from its page (one that died before it could deactivate itself). A
distributor also reads, without any action, the licences it supplied to its resellers."""

from dataclasses import replace

from django.contrib import messages
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, path, reverse
from django.utils import timezone
from django.views.decorators.http import require_POST, require_safe

from billing.selectors.renewals import licence_sale_actions
from licensing.filters import LicenceFilterSet
from licensing.models import Activation, Licence
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
from licensing.services.activation import activation_release
from partners import roles
from portal.errors import DomainError
from portal.pagination import page_of
from portal.tenancy.access import member_required
from portal.tenancy.models import get_for_tenant_or_404

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
            # Billing's: upgrading or renewing a customer's licence (administrators, sales).
            "sale_actions": licence_sale_actions(
                licence, organisation=organisation, role=request.caller.role
            ),
            # The owner's roles that manage licences free a machine; a distributor never.
            "can_release": not view.supplied and request.caller.role in roles.MANAGE_LICENCES,
        },
    )


@member_required(roles=roles.MANAGE_LICENCES)
@require_POST
def machine_release(request, activation_id):
    """Free one machine of one of the organisation's own licences (a distributor's
    resellers' machines are not found), then back to the licence's page."""
    organisation = request.caller.organisation
    activation = get_for_tenant_or_404(
        Activation.objects.owned_by(organisation), organisation, pk=activation_id
    )
    label = activation.hostname or "The machine"
    try:
        activation_release(actor=request.user, activation=activation)
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(
            request,
            f"{label} released: its place on this licence is free for another machine.",
        )
    return redirect("licensing:licence_detail", licence_id=activation.licence_id)


urlpatterns = [
    path("licences/", licences, name="licences"),
    path("licences/<uuid:licence_id>/", licence_detail, name="licence_detail"),
    path(
        "licences/machines/<uuid:activation_id>/release/",
        machine_release,
        name="licence_machine_release",
    ),
]
