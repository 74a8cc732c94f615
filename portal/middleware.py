from allauth.mfa.models import Authenticator
from django.conf import settings
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.cache import add_never_cache_headers

from portal.api.errors import json_error

STAFF_PATHS = ("/admin/", "/api/v1/staff/")
API_PATHS = ("/api/",)


def _has_totp(user) -> bool:
    return Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists()


class StaffMFARequiredMiddleware:
    """Staff must have TOTP before they may use the channel team's tools (MFA_REQUIRED_FOR_STAFF).

    The check runs in ``process_view``, i.e. after every middleware has seen the request, so
    it judges the caller the tenancy middleware resolved (session token first, then the
    session cookie): one rule for every door. Checking ``request.user`` in ``__call__`` saw
    only the cookie, and a staff account without TOTP used the staff API with a token.
    The staff API is /api/v1/staff/ and every view that checks a ``StaffPermission``
    wherever it is mounted (a deal's ``/approve`` sits beside the partner's routes).

    The admin login itself goes through allauth (urls.py), so a staff member with TOTP is
    asked for the code at login; one without TOTP is sent to enrol (admin) or refused with
    a 403 that says how to enrol (API).
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        if not settings.MFA_REQUIRED_FOR_STAFF or not (
            request.path.startswith(STAFF_PATHS) or _is_staff_api_view(view_func)
        ):
            return None
        caller = request.caller  # set by portal.tenancy.middleware.TenancyMiddleware
        if not caller.is_staff or _has_totp(caller.user):
            return None
        if request.path.startswith(API_PATHS):
            return json_error(
                403,
                "mfa_required",
                "Staff accounts need two-factor authentication for the staff API. Set up an "
                f"authenticator app (TOTP) at {reverse('mfa_activate_totp')} or through "
                "/_allauth/app/v1/account/authenticators/totp, then log in again.",
            )
        return redirect("mfa_activate_totp")


def _is_staff_api_view(view_func) -> bool:
    """An API view for the channel team outside /api/v1/staff/ (a deal's ``/approve``):
    one that checks a ``StaffPermission``."""
    permissions = getattr(getattr(view_func, "cls", None), "permission_classes", ())
    return any(getattr(p, "required_permission", None) for p in permissions)


class PrivateResponsesMiddleware:
    """Responses for a logged-in caller carry ``Cache-Control: no-store`` (and ``private``).

    They hold private data (a partner's team, a staff queue, a session token), which must
    sit in no shared cache and no browser cache. Judged after the view, so the login
    response itself (anonymous request, authenticated result) is covered; allauth's headless
    endpoints always answer about a session and are never cached. Anonymous public pages keep
    their caching, and a view that marks its response ``public`` (a partner's logo, the same
    bytes for everyone) keeps that decision.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        caller = getattr(request, "caller", None)
        authenticated = (caller is not None and caller.is_authenticated) or (
            request.user.is_authenticated
        )
        if request.path.startswith("/_allauth/") or (
            authenticated and not _marked_public(response)
        ):
            add_never_cache_headers(response)
        return response


def _marked_public(response) -> bool:
    directives = {
        part.strip().split("=")[0].lower()
        for part in response.get("Cache-Control", "").split(",")
        if part.strip()
    }
    return "public" in directives
