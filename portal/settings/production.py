"""Production: every secret and host comes from the environment; `check --deploy` is clean."""

from .base import *  # noqa: F403
from .base import env

DEBUG = False

# The load balancer's health check speaks plain HTTP inside the network.
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]

SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=60 * 60 * 24 * 365)
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=True)
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
CSRF_COOKIE_HTTPONLY = True
SESSION_COOKIE_AGE = 60 * 60 * 12
ACCOUNT_DEFAULT_HTTP_PROTOCOL = "https"
