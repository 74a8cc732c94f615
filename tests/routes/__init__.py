"""How each route keeps tenants apart, one module per area; the generic cross-tenant test
(tests/test_cross_tenant.py) exercises them all. ROUTES names routes by URL name; GROUPS
declares whole URL prefixes that hold no tenant data of their own."""

from tests.routes import (
    activation,
    activity,
    billing_settings,
    cases,
    contact,
    core,
    credits,
    deals,
    directory,
    invoices,
    licences,
    marketing,
    mdf,
    onboarding,
    orders,
    payments,
    quotes,
    redemption,
    sessions,
    site,
    team,
    tier_status,
    training,
    trials,
)

ROUTES: dict[str, object] = {
    **site.ROUTES,
    **core.ROUTES,
    **onboarding.ROUTES,
    **team.ROUTES,
    **directory.ROUTES,
    **training.ROUTES,
    **sessions.ROUTES,
    **activity.ROUTES,
    **contact.ROUTES,
    **licences.ROUTES,
    **redemption.ROUTES,
    **activation.ROUTES,
    **trials.ROUTES,
    **deals.ROUTES,
    **orders.ROUTES,
    **billing_settings.ROUTES,
    **quotes.ROUTES,
    **invoices.ROUTES,
    **payments.ROUTES,
    **credits.ROUTES,
    **mdf.ROUTES,
    **marketing.ROUTES,
    **tier_status.ROUTES,
}

GROUPS = site.GROUPS

__all__ = ["GROUPS", "ROUTES", "cases"]
