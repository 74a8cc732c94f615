"""Row-level security: the database's own wall between tenants.

Given/when/then: each test sets up tenants, runs queries as the application role in a
context, and checks what the database lets through, even when the code forgets to filter.
"""

import pytest
from django.conf import settings
from django.db import DatabaseError, connection, transaction

from partners.models import Membership
from portal.tenancy.context import public_context, system_context, tenant_context
from tests.factories import MembershipFactory, UserFactory


def _tables_with_column(column: str) -> set[str]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT table_name FROM information_schema.columns "
            "WHERE table_schema = 'public' AND column_name = %s",
            [column],
        )
        return {row[0] for row in cursor.fetchall()}


@pytest.mark.django_db
def test_every_table_with_tenant_rows_has_forced_rls_and_the_policy():
    tenant_tables = _tables_with_column("organisation_id")
    assert "partners_membership" in tenant_tables

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT c.relname, c.relrowsecurity, c.relforcerowsecurity, "
            "       EXISTS (SELECT 1 FROM pg_policies p WHERE p.tablename = c.relname "
            "               AND p.policyname = 'tenant_isolation') "
            "FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
            "WHERE n.nspname = 'public' AND c.relname = ANY(%s)",
            [list(tenant_tables)],
        )
        rows = cursor.fetchall()

    unprotected = [name for name, *flags in rows if not all(flags)]
    assert unprotected == [], f"tables holding tenant rows without forced RLS: {unprotected}"


@pytest.mark.django_db
def test_application_role_is_unprivileged():
    role = settings.TENANCY_DB_ROLE
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT rolsuper, rolbypassrls, rolcanlogin FROM pg_roles WHERE rolname = %s", [role]
        )
        assert cursor.fetchone() == (False, False, False)
        cursor.execute("SELECT count(*) FROM pg_tables WHERE tableowner = %s", [role])
        assert cursor.fetchone()[0] == 0


@pytest.mark.django_db
def test_a_query_that_forgets_the_tenant_filter_sees_only_the_callers_rows(tenants):
    # Given one extra member in bob's organisation
    MembershipFactory(organisation=tenants.bob.organisation, role=Membership.Role.SALES)

    # When each tenant runs an unfiltered query
    with tenant_context(tenants.alice.organisation.id):
        alice_sees = set(Membership.objects.values_list("organisation_id", flat=True))
        alice_count = Membership.objects.count()
    with tenant_context(tenants.bob.organisation.id):
        bob_count = Membership.objects.count()

    # Then the database returned only their own rows
    assert alice_sees == {tenants.alice.organisation.id}
    assert alice_count == 1
    assert bob_count == 2


@pytest.mark.django_db
def test_with_no_tenant_set_a_tenant_table_returns_nothing(tenants):
    with public_context():
        assert Membership.objects.count() == 0
        with connection.cursor() as cursor:
            cursor.execute("SELECT current_user")
            assert cursor.fetchone()[0] == settings.TENANCY_DB_ROLE


@pytest.mark.django_db
def test_the_system_context_sees_every_tenant(tenants):
    with system_context("test"):
        assert Membership.objects.count() == 3


@pytest.mark.django_db
def test_a_tenant_cannot_write_rows_of_another_tenant(tenants):
    bob_membership = tenants.bob.membership
    stranger = UserFactory()
    with tenant_context(tenants.alice.organisation.id):
        # Updates and deletes of another tenant's rows match nothing...
        assert Membership.objects.filter(pk=bob_membership.pk).update(role="sales") == 0
        assert Membership.objects.filter(pk=bob_membership.pk).delete()[0] == 0
        # ...and inserting a row for another tenant is refused by the policy's WITH CHECK.
        with pytest.raises(DatabaseError, match="row-level security"), transaction.atomic():
            Membership.objects.create(
                user=stranger, organisation=tenants.bob.organisation, role="admin"
            )
    bob_membership.refresh_from_db()
    assert bob_membership.role == Membership.Role.ADMIN


@pytest.mark.django_db
def test_a_nested_context_restores_the_outer_one(tenants):
    with system_context("outer"):
        with tenant_context(tenants.alice.organisation.id):
            assert Membership.objects.count() == 1
        # Back in the system context: the tenant's settings did not outlive the savepoint.
        assert Membership.objects.count() == 3
    with connection.cursor() as cursor:
        cursor.execute("SELECT current_user = session_user, current_setting('app.tenant_id', true)")
        assert cursor.fetchone() == (True, "")


@pytest.mark.django_db
def test_a_tenant_context_inside_the_system_context_does_not_inherit_the_bypass(tenants):
    with system_context("outer"), tenant_context(tenants.bob.organisation.id):
        assert set(Membership.objects.values_list("organisation_id", flat=True)) == {
            tenants.bob.organisation.id
        }
