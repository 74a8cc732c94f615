"""The channel team's view of one partner's status (the partner's own dashboard, shared
template and selector, plus its evaluation history and tier changes) and the programme
overview (partners per type and tier, at risk, eligible for upgrade).

Both are pages of the admin site (registered with ``register_staff_page``), for staff who
may view organisations; each costs a constant number of queries.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path
from django.utils import timezone

from partners.models import Organisation
from pes.models import TierChange, TierEvaluation
from pes.selectors.dashboard import status_dashboard
from pes.selectors.overview import programme_overview
from portal.admin_site import StaffPage, register_staff_page
from portal.permissions import staff_has_permission

VIEW_PERMISSION = "partners.view_organisation"


def _require(request) -> None:
    if not staff_has_permission(request.user, VIEW_PERMISSION):
        raise PermissionDenied


def partner_status(request, site, organisation_id):
    _require(request)
    organisation = get_object_or_404(Organisation, pk=organisation_id)
    dash = status_dashboard(organisation=organisation, role=None, on=timezone.localdate())
    evaluations = (
        TierEvaluation.objects.filter(organisation=organisation)
        .select_related("tier__partner_type", "transitioned_to__partner_type", "upgrade_to")
        .order_by("-year", "-quarter")
    )
    changes = (
        TierChange.objects.filter(organisation=organisation)
        .select_related("from_tier__partner_type", "to_tier__partner_type")
        .order_by("-created_at", "-id")
    )
    organisation = dash.status.organisation
    return TemplateResponse(
        request,
        "admin/pes/status.html",
        {
            **site.each_context(request),
            "title": f"{organisation.name}: programme status",
            "organisation": organisation,
            "dash": dash,
            "evaluations": list(evaluations),
            "changes": list(changes),
        },
    )


def overview(request, site):
    _require(request)
    return TemplateResponse(
        request,
        "admin/pes/overview.html",
        {
            **site.each_context(request),
            "title": "Programme overview",
            "overview": programme_overview(),
        },
    )


def _status_urls(site) -> list:
    return [
        path(
            "pes/status/<uuid:organisation_id>/",
            site.admin_view(
                lambda request, organisation_id: partner_status(request, site, organisation_id)
            ),
            name="pes_partner_status",
        )
    ]


def _overview_urls(site) -> list:
    return [
        path(
            "pes/overview/",
            site.admin_view(lambda request: overview(request, site)),
            name="pes_overview",
        )
    ]


register_staff_page(StaffPage(name="pes_partner_status", urls=_status_urls))
register_staff_page(
    StaffPage(
        name="pes_overview",
        urls=_overview_urls,
        label="Programme overview: partners per tier, at risk, eligible for upgrade",
        permission=VIEW_PERMISSION,
    )
)
