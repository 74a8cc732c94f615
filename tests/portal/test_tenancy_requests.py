"""Tenancy through real requests, in production-like transactions (transaction=True).

A plain django_db test would hide a broken middleware: its own outer transaction makes a
transaction-local setting work even when the middleware's would not.
"""

import pytest
from django.conf import settings
from django.db import connection
from django.test import Client

from partners.models import Membership
from tests.tenancy_support import observer, outside_any_context

pytestmark = [pytest.mark.urls("tests.portal.probe_urls")]


@pytest.mark.django_db(transaction=True)
def test_a_view_that_forgets_the_filter_returns_only_the_callers_rows(tenants_committed):
    for tenant in tenants_committed:
        for client in (tenant.api(), tenant.browser()):
            body = client.get("/probe/forgetful").json()
            assert body["organisations"] == [str(tenant.organisation.id)]
            assert body["role"] == settings.TENANCY_DB_ROLE
            assert body["tenant"] == str(tenant.organisation.id)


@pytest.mark.django_db(transaction=True)
def test_an_anonymous_request_sees_no_tenant_rows(tenants_committed):
    body = Client().get("/probe/forgetful").json()
    assert body == {"organisations": [], "role": settings.TENANCY_DB_ROLE, "tenant": ""}


@pytest.mark.django_db(transaction=True)
def test_the_token_wins_over_a_cookie_of_another_user(tenants_committed):
    # Given a browser logged in as bob that also sends alice's session token
    client = tenants_committed.bob.browser()
    token_client = tenants_committed.alice.api()
    token = token_client._credentials["HTTP_X_SESSION_TOKEN"]

    # When it calls the API
    body = client.get("/probe/forgetful", HTTP_X_SESSION_TOKEN=token).json()
    me = client.get("/api/v1/me", HTTP_X_SESSION_TOKEN=token).json()

    # Then the database context and the API agree on alice
    assert body["organisations"] == [str(tenants_committed.alice.organisation.id)]
    assert me["organisation"]["id"] == str(tenants_committed.alice.organisation.id)


@pytest.mark.django_db(transaction=True)
def test_a_pooled_connection_carries_no_tenant_into_the_next_request(tenants_committed):
    with outside_any_context():
        tenants_committed.alice.api().get("/probe/forgetful")
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT current_user, current_setting('app.tenant_id', true),"
                " current_setting('app.bypass', true)"
            )
            assert cursor.fetchone() == (settings.TENANCY_DB_ROLE, "", "off")
    anonymous = Client().get("/probe/forgetful").json()
    assert anonymous["organisations"] == []


@pytest.mark.django_db(transaction=True)
def test_a_server_error_rolls_back_what_the_view_wrote(tenants_committed):
    client = Client(raise_request_exception=False)
    client.force_login(tenants_committed.alice.admin)

    response = client.get("/probe/write-then-fail")

    assert response.status_code == 500
    with observer():
        role = Membership.objects.get(user=tenants_committed.alice.admin).role
    assert role == Membership.Role.ADMIN


@pytest.mark.django_db(transaction=True)
def test_staff_requests_run_in_the_named_system_context(tenants_committed):
    from tests.factories import UserFactory

    staff = UserFactory(is_staff=True)
    client = Client()
    client.force_login(staff)
    body = client.get("/probe/forgetful").json()
    assert len(body["organisations"]) == 3
    assert body["role"] == settings.TENANCY_DB_ROLE
