"""How each tenant route keeps tenants apart, one module per area; the generic
cross-tenant test (tests/test_cross_tenant.py) exercises them all."""

from tests.routes import activity, cases, core, directory, onboarding, team, training

ROUTES: dict[str, object] = {
    **core.ROUTES,
    **onboarding.ROUTES,
    **team.ROUTES,
    **directory.ROUTES,
    **training.ROUTES,
    **activity.ROUTES,
}

__all__ = ["ROUTES", "cases"]
