"""allauth endpoints the portal does not use answer 404 (portal/urls.py shadows them).

The list of served routes is explicit: an allauth upgrade that mounts a new endpoint
fails this test until someone decides whether the portal serves it."""

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, resolve
from rest_framework.test import APIClient

from portal.urls import UNUSED_ALLAUTH_PATHS

SERVED = {
    # The HTML pages: login, logout, the closed sign-up page, email addresses, passwords,
    # email confirmation, reauthentication by password, two-factor authentication.
    "accounts/login/",
    "accounts/logout/",
    "accounts/inactive/",
    "accounts/signup/",
    "accounts/reauthenticate/",
    "accounts/email/",
    "accounts/confirm-email/",
    r"accounts/^confirm-email/(?P<key>[-:\w]+)/$",
    "accounts/password/change/",
    "accounts/password/set/",
    "accounts/password/reset/",
    "accounts/password/reset/done/",
    "accounts/password/reset/key/done/",
    r"accounts/^password/reset/key/(?P<uidb36>[0-9A-Za-z]+)-(?P<key>.+)/$",
    "accounts/2fa/",
    "accounts/2fa/authenticate/",
    "accounts/2fa/reauthenticate/",
    "accounts/2fa/totp/activate/",
    "accounts/2fa/totp/deactivate/",
    "accounts/2fa/recovery-codes/",
    "accounts/2fa/recovery-codes/generate/",
    "accounts/2fa/recovery-codes/download/",
    # The app client (session tokens) of allauth headless.
    "_allauth/app/v1/config",
    "_allauth/app/v1/auth/session",
    "_allauth/app/v1/auth/login",
    "_allauth/app/v1/auth/signup",  # answers 403: sign-up is closed
    "_allauth/app/v1/auth/reauthenticate",
    "_allauth/app/v1/auth/password/request",
    "_allauth/app/v1/auth/password/reset",
    "_allauth/app/v1/auth/email/verify",
    "_allauth/app/v1/auth/email/verify/resend",
    "_allauth/app/v1/auth/2fa/authenticate",
    "_allauth/app/v1/auth/2fa/reauthenticate",
    "_allauth/app/v1/account/password/change",
    "_allauth/app/v1/account/email",
    "_allauth/app/v1/account/authenticators",
    "_allauth/app/v1/account/authenticators/totp",
    "_allauth/app/v1/account/authenticators/recovery-codes",
}


def _routes(patterns, prefix=""):
    for entry in patterns:
        route = prefix + str(entry.pattern)
        if isinstance(entry, URLResolver):
            yield from _routes(entry.url_patterns, route)
        elif isinstance(entry, URLPattern):
            yield route


def _allauth_routes() -> set[str]:
    """Every route allauth mounts (under accounts/ and _allauth/), not our shadows."""
    routes = set()
    for entry in get_resolver().url_patterns:
        if isinstance(entry, URLResolver) and str(entry.pattern) in ("accounts/", "_allauth/"):
            routes.update(_routes(entry.url_patterns, str(entry.pattern)))
    return routes


def test_every_allauth_route_is_either_served_or_shadowed():
    mounted = _allauth_routes()
    assert mounted >= SERVED  # the list above is not stale
    assert mounted - SERVED == set(UNUSED_ALLAUTH_PATHS)


@pytest.mark.django_db
def test_unused_allauth_endpoints_answer_404_to_everyone(tenants):
    callers = {
        "anonymous": APIClient(),
        "token": tenants.bob.api(),
        "cookie": tenants.bob.browser(),
    }
    for route in UNUSED_ALLAUTH_PATHS:
        url = f"/{route}"
        assert resolve(url).func.__name__ == "_not_served"
        for name, client in callers.items():
            for method in ("get", "post"):
                response = getattr(client, method)(url)
                assert response.status_code == 404, (name, method, url)


@pytest.mark.django_db
def test_phone_endpoints_are_gone_and_the_session_endpoints_still_work(tenants):
    token = tenants.bob.api()
    phone = {"phone": "+4915112345678"}
    assert token.post("/_allauth/app/v1/account/phone", phone, format="json").status_code == 404
    assert token.get("/_allauth/app/v1/auth/session").status_code == 200
    assert Client().get("/accounts/login/").status_code == 200
