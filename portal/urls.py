from allauth.account.decorators import secure_admin_login
from django.contrib import admin
from django.http import Http404
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from portal import views

# The admin login goes through allauth: its rate limits and MFA apply to staff too.
admin.site.login = secure_admin_login(admin.site.login)

space_urls = [
    path("", views.dashboard, name="dashboard"),
]

api_v1_urls = [
    path("", include("partners.api_urls")),
    path("", include("licensing.api_urls")),
    path("", include("deals.api_urls")),
    path("", include("billing.api_urls")),
    path("", include("pes.api_status")),
]


def _not_served(request, *args, **kwargs):
    raise Http404


# allauth endpoints the portal does not use: sign-in and reauthentication by emailed code,
# phone numbers, and JWT refresh (session tokens never need it). allauth mounts them
# whatever the settings say (the settings switch off the features behind them), so they
# are shadowed here, before allauth's own URLs, and answer 404.
# tests/accounts/test_allauth_endpoints.py lists every allauth route the portal serves.
UNUSED_ALLAUTH_PATHS = [
    "accounts/login/code/confirm/",
    "accounts/reauthenticate/code/",
    "accounts/reauthenticate/code/confirm/",
    "_allauth/app/v1/auth/code/confirm",
    "_allauth/app/v1/auth/reauthenticate/code/request",
    "_allauth/app/v1/auth/reauthenticate/code/confirm",
    "_allauth/app/v1/auth/reauthenticate/code/resend",
    "_allauth/app/v1/auth/phone/verify",
    "_allauth/app/v1/auth/phone/verify/resend",
    "_allauth/app/v1/account/phone",
    "_allauth/app/v1/tokens/refresh",
]

urlpatterns = [
    *(path(route, _not_served) for route in UNUSED_ALLAUTH_PATHS),
    path("", views.home, name="home"),
    path("healthz", views.healthz, name="healthz"),
    path("favicon.ico", views.favicon),
    path("vendor/logo", views.vendor_logo, name="vendor_logo"),
    path("space/", include((space_urls, "space"))),
    path("", include("partners.urls")),
    path("", include("licensing.urls")),
    path("", include("deals.urls")),
    path("", include("billing.urls")),
    path("accounts/", include("allauth.urls")),
    path("_allauth/", include("allauth.headless.urls")),
    path("admin/", admin.site.urls),
    path("api/v1/", include((api_v1_urls, "api"))),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("api/docs/", SpectacularSwaggerSplitView.as_view(url_name="api-schema"), name="api-docs"),
]

handler400 = "portal.views.bad_request"
handler403 = "portal.views.permission_denied"
handler404 = "portal.views.page_not_found"
handler500 = "portal.views.server_error"

# No URL serves MEDIA_ROOT, in development either: logos are served by their own view and
# private files (PRIVATE_MEDIA_ROOT) only by views that check the owner.
