"""Pages: the public partner locator (no login), mounted at the site root.

The locator reads profiles across tenants in the visitor's own context, through the
database's narrow public_directory read policy (no system context). What may be shown is
decided by partners.selectors.directory alone.
"""

from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.urls import path
from django.views.decorators.http import require_safe

from partners.selectors.directory import (
    DIRECTORY_PAGE_SIZE,
    DirectoryFilterSet,
    directory_entries,
    directory_entry,
    directory_filter_options,
    directory_logo,
    directory_logo_url,
)
from portal.errors import NotFound

LOGO_CACHE_SECONDS = 24 * 60 * 60


def _card(profile) -> dict:
    return {"profile": profile, "logo_url": directory_logo_url(profile=profile)}


@require_safe
def locator(request):
    filterset = DirectoryFilterSet(request.GET, queryset=directory_entries())
    valid = filterset.is_valid()
    entries = filterset.qs if valid else directory_entries().none()
    page = Paginator(entries, DIRECTORY_PAGE_SIZE).get_page(request.GET.get("page"))
    options = directory_filter_options(country=filterset.form.data.get("country", ""))
    return render(
        request,
        "partners/directory/locator.html",
        {
            "filters": filterset.form,
            "filters_valid": valid,
            "filtered": any(filterset.form.data.get(k) for k in filterset.filters),
            "options": options,
            "page_obj": page,
            "cards": [_card(profile) for profile in page.object_list],
        },
    )


@require_safe
def partner_detail(request, organisation_id):
    try:
        profile = directory_entry(organisation_id=organisation_id)
    except NotFound as exc:
        raise Http404(exc.message) from exc
    return render(request, "partners/directory/detail.html", _card(profile))


@require_safe
def partner_logo(request, organisation_id):
    try:
        content, content_type = directory_logo(organisation_id=organisation_id)
    except NotFound as exc:
        raise Http404(exc.message) from exc
    response = HttpResponse(content, content_type=content_type)
    # The URL carries the file's version (?v=), so a new logo is fetched at once.
    response["Cache-Control"] = f"public, max-age={LOGO_CACHE_SECONDS}"
    return response


urlpatterns = [
    path("partners/", locator, name="locator"),
    path("partners/<uuid:organisation_id>/", partner_detail, name="partner_detail"),
    path("partners/<uuid:organisation_id>/logo", partner_logo, name="partner_logo"),
]
