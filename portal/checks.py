"""Deployment checks Django's own `check --deploy` does not make (CSP, MFA, tenancy)."""

from pathlib import Path

from django.conf import settings
from django.core.checks import Error, Tags, Warning, register


@register(Tags.security, deploy=True)
def portal_deploy_checks(app_configs, **kwargs):
    problems = []
    directives = getattr(settings, "CONTENT_SECURITY_POLICY", {}).get("DIRECTIVES", {})
    if "csp.middleware.CSPMiddleware" not in settings.MIDDLEWARE or not directives:
        problems.append(Warning("No Content-Security-Policy is sent.", id="portal.W001"))
    for directive in ("script-src", "style-src", "default-src"):
        if "'unsafe-inline'" in directives.get(directive, []):
            problems.append(Warning(f"CSP {directive} allows 'unsafe-inline'.", id="portal.W002"))
    if not settings.MFA_REQUIRED_FOR_STAFF:
        problems.append(
            Warning(
                "Staff may use the admin without MFA.",
                hint="Set MFA_REQUIRED_FOR_STAFF=true.",
                id="portal.W003",
            )
        )
    if settings.CELERY_TASK_ALWAYS_EAGER:
        problems.append(
            Warning(
                "Celery tasks run in the web process.",
                hint="Set REDIS_URL to the broker.",
                id="portal.W004",
            )
        )
    return problems


@register(Tags.security)
def login_throttle_hook_check(app_configs, **kwargs):
    """portal.accounts.AccountAdapter keys failed logins by account and address through an
    allauth hook that is not a documented API; if an upgrade drops it, failed logins are
    keyed by account alone again and anyone can lock an owner out. Refuse to start then."""
    from allauth.account.adapter import DefaultAccountAdapter

    if not hasattr(DefaultAccountAdapter, "_get_login_attempts_cache_key"):
        return [
            Error(
                "allauth no longer has DefaultAccountAdapter._get_login_attempts_cache_key.",
                hint="Key allauth's login_failed rate limit by account and address again "
                "(portal/accounts.py) before upgrading.",
                id="portal.E001",
            )
        ]
    return []


@register(Tags.security)
def private_media_checks(app_configs, **kwargs):
    """Private files must not sit where public files are (or could be) served from."""
    private = Path(settings.PRIVATE_MEDIA_ROOT).resolve()
    for name in ("MEDIA_ROOT", "STATIC_ROOT"):
        public = Path(getattr(settings, name)).resolve()
        if private == public or private.is_relative_to(public) or public.is_relative_to(private):
            return [
                Error(
                    f"PRIVATE_MEDIA_ROOT and {name} overlap: private files could be served "
                    "with public ones.",
                    hint="Give PRIVATE_MEDIA_ROOT a directory of its own.",
                    id="portal.E002",
                )
            ]
    return []


@register(Tags.security)
def mfa_secret_keys_check(app_configs, **kwargs):
    """A malformed key would only show when someone enrols or signs in with TOTP."""
    from cryptography.fernet import Fernet

    problems = []
    for position, key in enumerate(settings.MFA_SECRET_KEYS, start=1):
        try:
            Fernet(key)
        except ValueError:
            problems.append(
                Error(
                    f"MFA_SECRET_KEYS: key {position} is not a Fernet key.",
                    hint="Make one with: python -c 'from cryptography.fernet import Fernet; "
                    "print(Fernet.generate_key().decode())'",
                    id="portal.E003",
                )
            )
    return problems
