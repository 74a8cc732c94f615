from django.conf import settings
from django.db import DatabaseError, connection
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.template import loader
from django.templatetags.static import static
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from partners.selectors.onboarding import onboarding_checklist
from pes.selectors.dashboard import status_dashboard
from portal.api.errors import json_error
from portal.errors import DomainError
from portal.models import Vendor
from portal.tenancy.access import member_required
from portal.vendor.selectors import current_vendor

#: The logo's URL carries its version (?v=): a new logo is a new URL.
VENDOR_LOGO_CACHE_SECONDS = 24 * 3600
VENDOR_LOGO_CONTENT_TYPES = {
    "png": "image/png",
    "jpg": "image/jpeg",
    "jpeg": "image/jpeg",
    "webp": "image/webp",
}


def favicon(request):
    # Resolved per request: the hashed name exists only once static files are collected.
    return redirect(static("img/favicon.svg"), permanent=True)


def home(request):
    return render(request, "portal/home.html")


@require_safe
def vendor_logo(request):
    """The vendor's logo (MEDIA_ROOT is not served by any URL)."""
    vendor = current_vendor(request=request)
    extension = vendor.logo.name.rsplit(".", 1)[-1].lower() if vendor.logo else ""
    content_type = VENDOR_LOGO_CONTENT_TYPES.get(extension)
    if content_type is None:
        raise Http404
    try:
        with vendor.logo.open("rb") as file:
            content = file.read()
    except FileNotFoundError as exc:
        raise Http404 from exc
    response = HttpResponse(content, content_type=content_type)
    response["Cache-Control"] = f"public, max-age={VENDOR_LOGO_CACHE_SECONDS}"
    return response


@member_required
def dashboard(request):
    """The partner's starting point: the onboarding checklist while it is not done, where
    the partner stands in the programme (pes.selectors.dashboard), the tier in plain
    words and whom to ask."""
    caller = request.caller
    organisation = caller.organisation
    today = timezone.localdate()
    return render(
        request,
        "space/dashboard.html",
        {
            "checklist": onboarding_checklist(
                organisation=organisation, role=caller.role, on=today
            ),
            "dash": status_dashboard(organisation=organisation, role=caller.role, on=today),
            # Until the vendor's identity is data (the ``vendor`` context), the setting.
            "CHANNEL_TEAM_EMAIL": settings.CHANNEL_TEAM_EMAIL,
        },
    )


@never_cache
def healthz(request):
    """For the load balancer and docker-compose: the database answers."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return JsonResponse({"status": "ok"})


def _wants_json(request) -> bool:
    return request.path.startswith(("/api/", "/_allauth/"))


def page_not_found(request, exception=None):
    if _wants_json(request):
        return json_error(404, "not_found", "Not found.")
    return render(request, "404.html", status=404)


def permission_denied(request, exception=None):
    if _wants_json(request):
        return json_error(403, "permission_denied", str(exception or "") or "Forbidden.")
    return render(request, "403.html", {"reason": str(exception or "")}, status=403)


def bad_request(request, exception=None):
    if _wants_json(request):
        return json_error(400, "bad_request", "Bad request.")
    return render(request, "400.html", status=400)


def server_error(request):
    if _wants_json(request):
        return json_error(500, "server_error", "Something went wrong on our side.")
    # The error may be the database's (or have aborted the request's transaction): the
    # vendor read for the page is reused, or read now if it can be, or left out.
    try:
        vendor = current_vendor(request=request)
    except DatabaseError:
        vendor = Vendor()
    return HttpResponse(loader.render_to_string("500.html", {"vendor": vendor}), status=500)


def link_refused(request, exc: DomainError, *, heading: str) -> HttpResponse:
    """The page a public token link (no account: a redemption, customer or quote-signing
    link) answers when it is not valid or no longer works, with the error's status."""
    return render(
        request,
        "portal/link_refused.html",
        {"heading": heading, "message": exc.message},
        status=exc.status_code,
    )
