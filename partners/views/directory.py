"""Pages: the public partner locator (no login), mounted at the site root.

The locator reads profiles across tenants in the visitor's own context, through the
database's narrow public_directory read policy (no system context). What may be shown is
decided by partners.selectors.directory alone.
"""

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path
from django.views.decorators.http import require_http_methods, require_safe

from partners.forms.contact import ContactForm
from partners.selectors.directory import (
    DIRECTORY_PAGE_SIZE,
    DirectoryFilterSet,
    directory_entries,
    directory_entry,
    directory_filter_options,
    directory_logo,
    directory_logo_url,
)
from partners.services.contact import contact_request_submit
from partners.throttles import ContactRateThrottle
from portal.client_address import client_ip
from portal.errors import DomainError, NotFound

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


@require_http_methods(["GET", "HEAD", "POST"])
def partner_detail(request, organisation_id):
    """A listed partner's page, with the form to contact it (POST)."""
    try:
        profile = directory_entry(organisation_id=organisation_id)
    except NotFound as exc:
        raise Http404(exc.message) from exc
    form = ContactForm(request.POST or None)
    status = 200
    throttled = ""
    if request.method == "POST":
        if not ContactRateThrottle().allow_request(request, None):
            throttled = "Too many messages from your network. Try again later."
            status = 429
        elif form.is_valid():
            data = dict(form.cleaned_data)
            if not data.pop("fax"):  # a filled honeypot is a bot: pretend, store nothing
                try:
                    contact_request_submit(
                        organisation_id=profile.organisation_id, data=data, ip=client_ip(request)
                    )
                except DomainError as exc:
                    form.add_error(exc.field if exc.field in form.fields else None, exc.message)
            if not form.errors:
                messages.success(
                    request,
                    f"Your message is on its way to {profile.display_name}; "
                    "they will answer you by email.",
                )
                return redirect(f"{request.path}#contact")
        if form.errors or throttled:
            status = status if throttled else 400
    context = {**_card(profile), "form": form, "throttled": throttled}
    return render(request, "partners/directory/detail.html", context, status=status)


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
