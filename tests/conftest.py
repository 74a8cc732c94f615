"""Shared fixtures: three tenants (alice, bob, charlie), API clients, a real Celery worker."""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from django.core.cache import cache
from django.test import Client
from rest_framework.test import APIClient

from partners.models import Membership
from tests.celery_support import celery_worker  # noqa: F401 - a fixture for every test module
from tests.factories import PASSWORD, MembershipFactory, OrganisationFactory, PartnerTypeFactory
from tests.tenancy_support import OBSERVER, observing_as


@pytest.fixture(autouse=True)
def _test_observer():
    """Test bodies observe every tenant (tests/tenancy_support.py); product code under
    test still runs in its own contexts."""
    with observing_as(OBSERVER):
        yield


@pytest.fixture(autouse=True)
def _fresh_cache():
    """Rate limits (logins, applications) live in the cache: each test starts afresh."""
    cache.clear()
    yield
    cache.clear()


@dataclass
class Tenant:
    """One partner organisation with an admin, and clients logged in as that admin."""

    organisation: object
    admin: object
    membership: Membership

    def api(self) -> APIClient:
        """An API client authenticated the way apps do: allauth headless session token."""
        client = APIClient()
        response = client.post(
            "/_allauth/app/v1/auth/login",
            {"email": self.admin.email, "password": PASSWORD},
            format="json",
        )
        assert response.status_code == 200, response.content
        client.credentials(HTTP_X_SESSION_TOKEN=response.json()["meta"]["session_token"])
        return client

    def browser(self) -> Client:
        client = Client()
        client.force_login(self.admin)
        return client


def make_tenant(name: str, type_code: str, country: str) -> Tenant:
    organisation = OrganisationFactory(
        name=name, country=country, partner_type=PartnerTypeFactory(code=type_code)
    )
    membership = MembershipFactory(
        organisation=organisation,
        user__email=f"admin@{name.split()[0].lower()}.example",
        role=Membership.Role.ADMIN,
    )
    return Tenant(organisation=organisation, admin=membership.user, membership=membership)


@dataclass
class Tenants:
    alice: Tenant
    bob: Tenant
    charlie: Tenant

    def __iter__(self):
        return iter((self.alice, self.bob, self.charlie))


@pytest.fixture
def tenants(db) -> Tenants:
    return Tenants(
        alice=make_tenant("Alice Distribution", "distributor", "DE"),
        bob=make_tenant("Bob Resellers", "reseller", "FR"),
        charlie=make_tenant("Charlie Cloud", "csp", "US"),
    )


@pytest.fixture
def tenants_committed(transactional_db) -> Tenants:
    """The same three tenants for transaction=True tests (production-like transactions)."""
    return Tenants(
        alice=make_tenant("Alice Distribution", "distributor", "DE"),
        bob=make_tenant("Bob Resellers", "reseller", "FR"),
        charlie=make_tenant("Charlie Cloud", "csp", "US"),
    )
