"""The site outside the reseller space: public pages, the API's schema, and the URL
prefixes that hold no tenant data of their own (the admin, the account pages)."""

from tests.routes.cases import ProvenElsewhere, Public

ROUTES: dict[str, object] = {
    "home": Public("the landing page", path="/"),
    "healthz": Public("the load balancer's health check", path="/healthz"),
    "favicon.ico": Public("a redirect to a static file", path="/favicon.ico", expect=301),
    # No logo uploaded in the tests: the route answers 404 (a logo is platform data).
    "vendor_logo": Public("the vendor's logo, no tenant's data", path="/vendor/logo", expect=404),
    "api-schema": Public("the OpenAPI schema: operations, never data", path="/api/schema/"),
    "api-docs": Public("the API's documentation page", path="/api/docs/"),
}

GROUPS: dict[str, ProvenElsewhere] = {
    "admin/": ProvenElsewhere(
        "the channel team's admin: staff only",
        proven_by="tests/test_cross_tenant.py::test_partner_users_cannot_use_the_admin_for_anything",
    ),
    "accounts/": ProvenElsewhere(
        "allauth's pages for the caller's own account (login, email, password, 2FA)",
        proven_by="tests/test_cross_tenant.py::test_account_routes_show_only_the_callers_own_account",
    ),
    "_allauth/": ProvenElsewhere(
        "allauth headless: authentication and the caller's own account",
        proven_by="tests/test_cross_tenant.py::test_account_routes_show_only_the_callers_own_account",
    ),
}
