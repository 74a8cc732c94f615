"""Who is calling: resolved once per request, in the same order as DRF authenticates.

The session token (X-Session-Token, allauth headless) wins over the session cookie, exactly
as in REST_FRAMEWORK's authentication classes; a middleware that trusted the cookie first
would let a token user see the cookie user's tenant. The API's authentication class
(portal.api.authentication) reuses this result instead of authenticating again.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

from allauth.headless.contrib.rest_framework.authentication import XSessionTokenAuthentication
from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.utils.module_loading import import_string


@dataclass
class Caller:
    user: Any
    via: Literal["token", "session"] | None
    membership: Any = None  # partners.Membership, with its organisation

    @property
    def is_authenticated(self) -> bool:
        return self.via is not None

    @property
    def is_staff(self) -> bool:
        return self.is_authenticated and self.user.is_active and self.user.is_staff

    @property
    def organisation(self):
        return self.membership.organisation if self.membership else None

    @property
    def role(self) -> str | None:
        return self.membership.role if self.membership else None


def resolve_user(request) -> tuple[Any, Literal["token", "session"] | None]:
    # allauth's public DRF authentication class: (user, session) or None, as DRF unpacks it.
    result = XSessionTokenAuthentication().authenticate(request)
    if result is not None:
        user, _session = result
        if user.is_active:
            return user, "token"
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated and user.is_active:
        return user, "session"
    return AnonymousUser(), None


def lookup_membership(user):
    """The partners app tells us how to find a user's membership (portal stays below it)."""
    return import_string(settings.TENANCY_MEMBERSHIP_LOOKUP)(user=user)
