"""The generic cross-tenant test: every route of the API and of the reseller space.

It walks the URL configuration and fails when a route under /api/v1/ or /space/ has no
entry in ROUTES, so a new route cannot ship without saying how it keeps tenants apart.
Each entry is exercised for all three tenants, through both the session token (API
clients) and the session cookie (browsers).
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import pytest
from django.urls import URLPattern, URLResolver, get_resolver

from tests.routes import ROUTES
from tests.routes.cases import OwnData, Public, StaffOnly, TenantCollection, TenantObject

TENANT_PREFIXES = ("api/v1/", "space/")


def _walk(patterns, prefix: str = "", namespace: str = "") -> Iterator[tuple[str, str]]:
    for pattern in patterns:
        route = prefix + str(pattern.pattern)
        if isinstance(pattern, URLResolver):
            ns = namespace
            if pattern.namespace:
                ns = f"{namespace}{pattern.namespace}:"
            yield from _walk(pattern.url_patterns, route, ns)
        elif isinstance(pattern, URLPattern):
            yield route, f"{namespace}{pattern.name}" if pattern.name else route


def tenant_routes() -> dict[str, str]:
    return {
        name: route
        for route, name in _walk(get_resolver().url_patterns)
        if route.startswith(TENANT_PREFIXES)
    }


def test_every_tenant_route_is_covered():
    uncovered = sorted(set(tenant_routes()) - set(ROUTES))
    assert uncovered == [], f"routes missing from the cross-tenant test: {uncovered}"
    stale = sorted(set(ROUTES) - set(tenant_routes()))
    assert stale == [], f"ROUTES names routes that no longer exist: {stale}"


def _clients(tenant):
    return {"token": tenant.api(), "cookie": tenant.browser()}


def _others(tenants, tenant):
    return [t for t in tenants if t is not tenant]


@pytest.mark.django_db
@pytest.mark.parametrize("name", sorted(ROUTES))
def test_route_keeps_tenants_apart(name, tenants):
    case = ROUTES[name]
    if isinstance(case, OwnData) and case.setup:
        for tenant in tenants:
            case.setup(tenant)
    for tenant in tenants:
        for via, client in _clients(tenant).items():
            if isinstance(case, OwnData):
                response = client.get(case.path)
                assert response.status_code == 200, (name, via)
                body = response.content.decode()
                assert str(tenant.organisation.id) in body or tenant.organisation.name in body
                for other in _others(tenants, tenant):
                    assert str(other.organisation.id) not in body, (name, via)
                    assert other.organisation.name not in body, (name, via)
            elif isinstance(case, TenantObject):
                for other in _others(tenants, tenant):
                    obj = case.make(other)
                    url = case.path.format(id=obj.pk)
                    for method in case.methods:
                        response = getattr(client, method)(url, {}, content_type="application/json")
                        assert response.status_code == 404, (name, via, method)
                    own = case.make(tenant)
                    assert client.get(case.path.format(id=own.pk)).status_code == 200
            elif isinstance(case, TenantCollection):
                own = {str(case.make(tenant).pk)}
                foreign = {str(case.make(o).pk) for o in _others(tenants, tenant)}
                body = client.get(case.path).content.decode()
                assert all(pk in body for pk in own), (name, via)
                assert not any(pk in body for pk in foreign), (name, via)
            elif isinstance(case, StaffOnly):
                url = case.path.format(id=uuid.uuid4())
                for method in case.methods:
                    response = getattr(client, method)(url, {}, content_type="application/json")
                    assert response.status_code == 403, (name, via, method)
            elif isinstance(case, Public):
                assert case.reason
            else:  # pragma: no cover - a new kind of case must be handled above
                raise AssertionError(f"unknown case {case!r}")


@pytest.mark.django_db
def test_partner_users_cannot_use_the_admin_for_anything(tenants):
    # Given bob's admin logged in, and alice's organisation and member in the admin
    client = tenants.bob.browser()
    alice = tenants.alice
    urls = [
        "/admin/",
        f"/admin/partners/organisation/{alice.organisation.pk}/change/",
        f"/admin/partners/membership/{alice.membership.pk}/change/",
        f"/admin/partners/organisation/{alice.organisation.pk}/history/",
        "/admin/partners/membership/",
    ]
    for url in urls:
        # The admin sends non-staff to its login, which allauth's secure_admin_login
        # refuses outright for an authenticated non-staff user.
        response = client.get(url, follow=True)
        assert response.status_code == 403, url
        assert alice.organisation.name.encode() not in response.content
    response = client.post(
        f"/admin/partners/organisation/{alice.organisation.pk}/delete/", {"post": "yes"}
    )
    assert response.status_code in {302, 403}
    alice.organisation.refresh_from_db()  # still there
