"""Settings shared by every environment.

Everything that differs between machines comes from the environment, read through
django-environ, which fails loudly on a missing or malformed value. The environment
modules (development, production, test) only choose safe defaults on top of this one.
"""

from datetime import timedelta

import environ
from csp.constants import NONE, SELF

from .api_docs import API_DESCRIPTION
from .api_docs import TAGS as API_TAGS
from .paths import BASE_DIR, VAR_DIR

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env")  # optional; real environment variables win

DEBUG = env.bool("DEBUG", default=False)
SECRET_KEY = env.str("SECRET_KEY")
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=[])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    # Project apps first so their templates override the libraries' ones.
    "portal.apps.PortalConfig",
    "partners.apps.PartnersConfig",
    "licensing.apps.LicensingConfig",
    "deals.apps.DealsConfig",
    "billing.apps.BillingConfig",
    "pes.apps.PesConfig",
    "portal.apps.PortalAdminConfig",  # django.contrib.admin with the channel team's home
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rest_framework",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "allauth.headless",
    "django_celery_beat",
    "django_countries",
    "simple_history",
    "csp",
    "pgtrigger",
]

MIDDLEWARE = [
    # First: an oversized body is refused before any middleware or view reads it.
    "portal.http_limits.RequestBodyLimitMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # Outside the tenancy middleware: judges the caller it resolved once the view has run.
    "portal.middleware.PrivateResponsesMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    "portal.middleware.StaffMFARequiredMiddleware",
    # Audit records name the request's client IP (portal/audit/services.py).
    "portal.audit.middleware.AuditRequestMiddleware",
    # Last, so that the view (and only the view) runs inside the tenant's transaction;
    # see portal/tenancy/middleware.py.
    "portal.tenancy.middleware.TenancyMiddleware",
]

ROOT_URLCONF = "portal.urls"
WSGI_APPLICATION = "portal.wsgi.application"
ASGI_APPLICATION = "portal.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "portal.context_processors.tenancy",
                "portal.context_processors.vendor",
                "partners.context_processors.space_navigation",
            ],
        },
    },
]

# --- Database -------------------------------------------------------------------------
# DATABASE_URL is required here; development.py provides an embedded default.
DATABASES = {"default": env.db_url("DATABASE_URL")}
DATABASES["default"].update(
    {
        # Persistent connections: ~8x the throughput of reconnecting per request on the
        # target hardware. Safe with tenancy because every tenant setting is
        # transaction-local (set_config(..., true)).
        "CONN_MAX_AGE": env.int("DATABASE_CONN_MAX_AGE", default=600),
        "CONN_HEALTH_CHECKS": True,
        # The tenancy middleware opens the request transaction itself.
        "ATOMIC_REQUESTS": False,
    }
)
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# The unprivileged PostgreSQL role every connection runs as from the moment it opens, so
# that row-level security applies (superusers and table owners would bypass it) and code
# outside any context sees no tenant row. Created by `migrate`; with DATABASE_APP_PASSWORD
# set, `migrate` makes it a login role with that password, for deployments where the app
# logs in as it and only `migrate` uses the owner's URL (README, "Database roles").
# Empty: the app logs in as its own unprivileged role, created and granted by the DBA.
TENANCY_DB_ROLE = env.str("DATABASE_APP_ROLE", default="portal_app")
TENANCY_DB_ROLE_PASSWORD = env.str("DATABASE_APP_PASSWORD", default="")
# The tenant model and how to find a user's membership; portal core names no app above it.
TENANCY_ORGANISATION_MODEL = "partners.Organisation"
TENANCY_MEMBERSHIP_LOOKUP = "partners.selectors.membership_for_user"

# Absolute links in emails (invitations, signed links) start with this.
PORTAL_BASE_URL = env.str("PORTAL_BASE_URL", default="http://127.0.0.1:8000").rstrip("/")

# How many reverse proxies in front of the app append to X-Forwarded-For. Client IPs (rate
# limits, signature and application records) come from that header only when this says
# how many of its entries to trust; by default the header is ignored (it can be forged).
TRUSTED_PROXY_COUNT = env.int("TRUSTED_PROXY_COUNT", default=0)
ALLAUTH_TRUSTED_PROXY_COUNT = TRUSTED_PROXY_COUNT

# The passphrase that encrypts the licence signing keys stored in the database. Empty: one
# derived from SECRET_KEY (changing SECRET_KEY then makes the stored keys unreadable, so
# production sets its own; licensing/signing.py).
LICENCE_SIGNING_PASSPHRASE = env.str("LICENCE_SIGNING_PASSPHRASE", default="")

# Where the channel team is told about new applications and signatures.
CHANNEL_TEAM_EMAIL = env.str("CHANNEL_TEAM_EMAIL", default="channel-team@vendor.example")
# Reseller-space pages send members of an organisation that has not signed its agreement
# yet here (a URL name).
TENANCY_PENDING_URL = "partners:agreement"

# --- Auth -----------------------------------------------------------------------------
AUTH_USER_MODEL = "portal.User"
AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "space:dashboard"
LOGOUT_REDIRECT_URL = "home"

ACCOUNT_ADAPTER = "portal.accounts.AccountAdapter"
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_EMAIL_VERIFICATION = "mandatory"
ACCOUNT_LOGIN_ON_EMAIL_CONFIRMATION = True
ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE = False
ACCOUNT_SESSION_REMEMBER = None
ACCOUNT_PRESERVE_USERNAME_CASING = False
ACCOUNT_EMAIL_SUBJECT_PREFIX = "[Partner Portal] "
# allauth's defaults, stated so they are visible and tunable; the Django admin login is
# routed through allauth (urls.py), so they apply to staff too. Failed logins: ten a
# minute per client address over all accounts ("ip"), and five in five minutes per
# account *and* address ("key": portal.accounts.AccountAdapter adds the address; allauth
# alone keys by account, which let anyone lock an owner out). A right password never
# counts as a failure. The client address comes from TRUSTED_PROXY_COUNT above: set it
# behind a proxy, or everyone shares the proxy's address and its limit.
ACCOUNT_RATE_LIMITS = {
    "login": "30/m/ip",
    "login_failed": "10/m/ip,5/5m/key",
    "reset_password": "20/m/ip,5/m/key",
    "reset_password_from_key": "20/m/ip",
    "confirm_email": "1/3m/key",
    "signup": "20/m/ip",
}

# Features the portal does not offer, off (their URLs answer 404, see portal/urls.py):
# no phone numbers, no login or reauthentication by emailed code (a password, and TOTP
# where enrolled, are the only ways in).
ACCOUNT_PHONE_VERIFICATION_ENABLED = False
ACCOUNT_LOGIN_BY_CODE_ENABLED = False
ACCOUNT_PASSWORD_RESET_BY_CODE_ENABLED = False
ACCOUNT_REAUTHENTICATION_METHODS = ("password", "mfa")

MFA_SUPPORTED_TYPES = ["totp", "recovery_codes"]
# TOTP keys and recovery seeds are stored encrypted (portal/mfa.py): Fernet keys, the first
# encrypts, all decrypt. Empty: one derived from SECRET_KEY (production sets its own).
MFA_ADAPTER = "portal.mfa.MFAAdapter"
MFA_SECRET_KEYS = env.list("MFA_SECRET_KEYS", default=[])
MFA_TOTP_ISSUER = env.str("MFA_TOTP_ISSUER", default="Partner Portal")
# Staff must enrol TOTP before they may use the admin or the staff API, whether they come
# with the session cookie or a session token (portal.middleware).
MFA_REQUIRED_FOR_STAFF = env.bool("MFA_REQUIRED_FOR_STAFF", default=True)

HEADLESS_CLIENTS = ("app",)
HEADLESS_ONLY = False
HEADLESS_SERVE_SPECIFICATION = False
HEADLESS_FRONTEND_URLS = {
    "account_confirm_email": "/accounts/confirm-email/{key}/",
    "account_reset_password_from_key": "/accounts/password/reset/key/{key}/",
}

# --- API ------------------------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        # The caller the tenancy middleware resolved (session token first, then the
        # session cookie with CSRF), so the API and the database context always agree.
        "portal.api.authentication.CallerAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_SCHEMA_CLASS": "portal.api.schema.AutoSchema",
    "DEFAULT_PAGINATION_CLASS": "portal.api.pagination.PageNumberPagination",
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "EXCEPTION_HANDLER": "portal.api.errors.exception_handler",
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    # Ours refuses oversized, too deeply nested and invalid-Unicode JSON with a 400/413
    # (portal/api/parsers.py); views that need another parser list it themselves.
    "DEFAULT_PARSER_CLASSES": [
        "portal.api.parsers.JSONParser",
        "rest_framework.parsers.FormParser",
        "rest_framework.parsers.MultiPartParser",
    ],
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
    "NUM_PROXIES": TRUSTED_PROXY_COUNT,
    "DEFAULT_THROTTLE_RATES": {
        # The public application form, per client IP (UI and API share the counter).
        "applications": env.str("APPLICATION_RATE_LIMIT", default="5/hour"),
        # The locator's contact form, per client IP, whichever partner is written to.
        "contact_requests": env.str("CONTACT_RATE_LIMIT", default="5/hour"),
        # Appliances activating and deactivating licence keys, per client IP.
        "activations": env.str("ACTIVATION_RATE_LIMIT", default="30/hour"),
        # The licence signing public keys, per client IP.
        "licensing_public_key": env.str("PUBLIC_KEY_RATE_LIMIT", default="120/hour"),
        # The end customer's redemption and seat forms (no account), per client IP.
        "customer_links": env.str("CUSTOMER_LINK_RATE_LIMIT", default="30/hour"),
        # The end customer's redemption-code form (no account), per client IP.
        "redemption_codes": env.str("REDEMPTION_CODE_RATE_LIMIT", default="30/hour"),
    },
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Partner Portal API",
    "DESCRIPTION": API_DESCRIPTION,
    "TAGS": API_TAGS,
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    # Choice sets that share a field name with another's get a name of their own.
    "ENUM_NAME_OVERRIDES": {
        "LicenceStatusEnum": "licensing.models.licences.Licence.Status",
        "RequestStatusEnum": "licensing.models.trials.RequestStatus",
        "LicenceKindEnum": "licensing.models.Licence.Kind",
        "LicenceEventKindEnum": "licensing.models.LicenceEvent.Kind",
        "DealStatusEnum": "deals.models.Deal.Status",
        "DealEventKindEnum": "deals.models.DealEvent.Kind",
        "ReferralLeadStatusEnum": "deals.models.ReferralLead.Status",
        "ReferralFeeStatusEnum": "deals.models.ReferralFee.Status",
        "EngagementModelEnum": "partners.models.EngagementModel",
        "QuoteStatusEnum": "billing.models.Quote.Status",
        "QuotePdfStatusEnum": "billing.models.Quote.PdfStatus",
        "OrderStatusEnum": "billing.models.Order.Status",
        "InvoiceKindEnum": "billing.models.Invoice.Kind",
        "InvoicePurposeEnum": "billing.models.Invoice.Purpose",
        "OrderKindEnum": "billing.models.Order.Kind",
        "CreditEntryKindEnum": "billing.models.CreditEntry.Kind",
    },
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "portal.api.schema.document_error_responses",
    ],
}

# --- Celery ---------------------------------------------------------------------------
REDIS_URL = env.str("REDIS_URL", default="")
CELERY_BROKER_URL = REDIS_URL or "memory://"
CELERY_RESULT_BACKEND = None
CELERY_TASK_ALWAYS_EAGER = not REDIS_URL
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_ACKS_LATE = True  # only our idempotent tasks are written; see portal/celery.py
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": 3600}
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"
# Installed into django-celery-beat's tables at beat's start; edit them in the admin.
CELERY_BEAT_SCHEDULE = {
    "relay-outbox": {"task": "portal.relay_outbox", "schedule": 30.0},
    "purge-outbox": {"task": "portal.purge_outbox", "schedule": 3600.0},
    # Idempotent: hourly, so a missed run is caught up within the hour.
    "expire-licences": {"task": "licensing.expire_licences", "schedule": 3600.0},
    # Idempotent: one reminder per link and programme interval, however often it runs.
    "remind-unredeemed-licences": {
        "task": "licensing.remind_unredeemed_licences",
        "schedule": 3600.0,
    },
    # Idempotent: a registration expires, or is reminded, once however often it runs.
    "expire-deal-registrations": {"task": "deals.expire_registrations", "schedule": 3600.0},
    # Idempotent: one invoice per subscription and period, however often it runs.
    "issue-period-invoices": {"task": "billing.issue_period_invoices", "schedule": 3600.0},
    # Idempotent: one reminder per invoice and stage (1, 15, 30 days overdue). Hourly, so a
    # missed run is caught up within the hour; the day an invoice becomes overdue decides.
    "remind-overdue-invoices": {"task": "billing.remind_overdue_invoices", "schedule": 3600.0},
    # Idempotent: an earned credit expires once (a unique expiry entry per earned entry).
    "expire-credits": {"task": "billing.expire_credits", "schedule": 3600.0},
    # Idempotent: one reminder per licence, stage and end, however often it runs.
    "remind-renewals": {"task": "billing.remind_renewals", "schedule": 3600.0},
    # Idempotent: one reminder per registration (the day before), however often it runs.
    "remind-sessions": {"task": "partners.remind_sessions", "schedule": 3600.0},
    # Idempotent: the quarter that ended is evaluated once by the job (the first run of a
    # new quarter); a missed run is caught up within the hour.
    "evaluate-tiers": {"task": "pes.evaluate_tiers", "schedule": 3600.0},
}
# Sent outbox rows (task arguments: ids, addresses, names) are deleted after this long.
OUTBOX_RETENTION = timedelta(days=env.int("OUTBOX_RETENTION_DAYS", default=7))
CELERY_TIMEZONE = "UTC"

# --- Caches (rate limits live here) ---------------------------------------------------
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": "portal",
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# --- Email ----------------------------------------------------------------------------
EMAIL_CONFIG = env.email_url("EMAIL_URL", default="consolemail://")
vars().update(EMAIL_CONFIG)
DEFAULT_FROM_EMAIL = env.str(
    "DEFAULT_FROM_EMAIL", default="Partner Portal <partners@vendor.example>"
)
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# --- i18n, static, media --------------------------------------------------------------
LANGUAGE_CODE = "en"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True
# One date and time format everywhere (portal/formats): "29 Nov 2026", "29 Nov 2026, 07:03 UTC".
FORMAT_MODULE_PATH = ["portal.formats"]
DATE_FORMAT = "j M Y"
DATETIME_FORMAT = "j M Y, H:i T"

STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "/media/"  # no URL serves it: logos go out through partners' logo view
MEDIA_ROOT = env.path("MEDIA_ROOT", default=VAR_DIR / "media")
# Agreements, order forms, invoices: outside MEDIA_ROOT, never mapped to a URL; only views
# that check the owner serve them (portal/storage.py).
PRIVATE_MEDIA_ROOT = env.path("PRIVATE_MEDIA_ROOT", default=VAR_DIR / "private")
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "private": {"BACKEND": "portal.storage.PrivateStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
# Request size limits. Any body over REQUEST_BODY_MAX_BYTES is refused (413) from its
# Content-Length before it is read (portal.http_limits); the largest legitimate one is a
# payment proof of PAYMENT_PROOF_MAX_BYTES in a multipart form. Without files, a body (form
# fields, API JSON) may be 1 MB: Django checks it for forms, portal.api.parsers for JSON.
REQUEST_BODY_MAX_BYTES = env.int("REQUEST_BODY_MAX_BYTES", default=5 * 1024 * 1024)
# A proof of a wire transfer (PDF, PNG, JPEG: billing.services.proof_files). Below the body
# limit with room for the form around it, so that a file just over it gets the form's
# clear message rather than the 413.
PAYMENT_PROOF_MAX_BYTES = env.int("PAYMENT_PROOF_MAX_BYTES", default=4 * 1024 * 1024)
# A marketing asset uploaded by the channel team in the admin (partners.services.marketing):
# below the body limit too, for the same reason.
MARKETING_ASSET_MAX_BYTES = env.int("MARKETING_ASSET_MAX_BYTES", default=4 * 1024 * 1024)
DATA_UPLOAD_MAX_MEMORY_SIZE = 1024 * 1024
DATA_UPLOAD_MAX_NUMBER_FIELDS = 1000
DATA_UPLOAD_MAX_NUMBER_FILES = 10
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024

# --- Security headers -----------------------------------------------------------------
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "strict-origin-when-cross-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    }
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
        # WeasyPrint and fontTools narrate every rendering step at INFO.
        "weasyprint": {"level": "WARNING"},
        "fontTools": {"level": "WARNING"},
        # factur-x logs each XML check and embedding (three lines an invoice) at INFO.
        "factur-x": {"level": "WARNING"},
    },
}
