"""Row-level security: the database's own wall between tenants.

Given/when/then: each test sets up tenants, runs queries as the application role in a
context, and checks what the database lets through, even when the code forgets to filter.
"""

import uuid

import pytest
from django.conf import settings
from django.db import DatabaseError, connection, transaction

from partners.models import Membership
from portal.tenancy.context import public_context, system_context, tenant_context
from portal.tenancy.operations import policy_sql
from tests.factories import MembershipFactory, UserFactory
from tests.tenancy_support import observer, owner_session_for_tests

TENANT_ROOT = "partners_organisation"


def tenant_tables() -> set[str]:
    """Every table that holds tenant rows: one with an ``organisation_id`` column (history
    tables have no foreign key), or one that reaches the organisation table through any
    chain of foreign keys (an invoice line through its invoice)."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT table_name FROM information_schema.columns "
            "WHERE table_schema = 'public' AND column_name = 'organisation_id'"
        )
        by_column = {row[0] for row in cursor.fetchall()}
        cursor.execute(
            """
            WITH RECURSIVE fk AS (
                SELECT c.conrelid::regclass::text AS child, c.confrelid::regclass::text AS parent
                FROM pg_constraint c
                JOIN pg_namespace n ON n.oid = c.connamespace
                WHERE c.contype = 'f' AND n.nspname = 'public'
            ), owned(name) AS (
                SELECT child FROM fk WHERE parent = ANY(%s)
                UNION
                SELECT fk.child FROM fk JOIN owned ON fk.parent = owned.name
            )
            SELECT name FROM owned
            """,
            [[TENANT_ROOT, *by_column]],
        )
        by_chain = {row[0].strip('"') for row in cursor.fetchall()}
    return (by_column | by_chain) - {TENANT_ROOT}


@pytest.mark.django_db
def test_every_table_with_tenant_rows_has_forced_rls_and_a_policy_per_command():
    tables = tenant_tables()
    assert {"partners_membership", "partners_partnerprofile"} <= tables

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT c.relname, c.relrowsecurity, c.relforcerowsecurity, "
            "       (SELECT array_agg(p.cmd ORDER BY p.cmd) FROM pg_policies p "
            "        WHERE p.tablename = c.relname AND p.policyname LIKE 'tenant_%%') "
            "FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
            "WHERE n.nspname = 'public' AND c.relname = ANY(%s)",
            [list(tables)],
        )
        rows = cursor.fetchall()

    assert {name for name, *_ in rows} == tables
    unprotected = [
        name
        for name, enabled, forced, commands in rows
        if not (enabled and forced and commands == ["DELETE", "INSERT", "SELECT", "UPDATE"])
    ]
    assert unprotected == [], f"tables holding tenant rows without forced RLS: {unprotected}"


@pytest.mark.django_db
def test_a_child_table_is_guarded_through_its_parent(tenants, settings):
    # Given an invoice-like parent with an organisation and a line table that has none
    role = connection.ops.quote_name(settings.TENANCY_DB_ROLE)
    with owner_session_for_tests(), connection.cursor() as cursor:
        cursor.execute(
            "CREATE TABLE test_parent (id uuid PRIMARY KEY, organisation_id uuid NOT NULL);"
            "CREATE TABLE test_line (id serial PRIMARY KEY, "
            "  parent_id uuid NOT NULL REFERENCES test_parent(id), label text);"
            f"GRANT ALL ON test_parent, test_line TO {role};"
            f"GRANT ALL ON SEQUENCE test_line_id_seq TO {role};"
        )
        for statement in policy_sql("test_parent") + policy_sql(
            "test_line", via=("parent_id", "test_parent")
        ):
            cursor.execute(statement)
    # The line is found as tenant data through its foreign key chain.
    assert "test_line" in tenant_tables()
    alice, bob = tenants.alice.organisation.id, tenants.bob.organisation.id
    alice_invoice, bob_invoice = uuid.uuid4(), uuid.uuid4()
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO test_parent VALUES (%s, %s), (%s, %s)",
            [alice_invoice, alice, bob_invoice, bob],
        )
        cursor.execute(
            "INSERT INTO test_line (parent_id, label) VALUES (%s, 'a'), (%s, 'b')",
            [alice_invoice, bob_invoice],
        )

    with tenant_context(alice), connection.cursor() as cursor:
        # When alice reads, changes and deletes without any filter
        cursor.execute("SELECT label FROM test_line")
        assert cursor.fetchall() == [("a",)]
        cursor.execute("UPDATE test_line SET label = 'x'")
        assert cursor.rowcount == 1
        cursor.execute("DELETE FROM test_line WHERE label = 'b'")
        assert cursor.rowcount == 0
        # and tries to add a line to bob's invoice
        with pytest.raises(DatabaseError, match="row-level security"), transaction.atomic():
            cursor.execute(
                "INSERT INTO test_line (parent_id, label) VALUES (%s, 'forged')", [bob_invoice]
            )

    # Then bob's line is untouched
    with connection.cursor() as cursor:
        cursor.execute("SELECT parent_id, label FROM test_line ORDER BY label")
        assert cursor.fetchall() == [(bob_invoice, "b"), (alice_invoice, "x")]


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
    with system_context("command:seed_demo"):
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
    with observer():
        with tenant_context(tenants.alice.organisation.id):
            assert Membership.objects.count() == 1
        # Back in the system context: the tenant's settings did not outlive the savepoint.
        assert Membership.objects.count() == 3
    with connection.cursor() as cursor:
        cursor.execute("SELECT current_user, current_setting('app.tenant_id', true)")
        assert cursor.fetchone() == (settings.TENANCY_DB_ROLE, "")


@pytest.mark.django_db
def test_a_tenant_context_inside_the_system_context_does_not_inherit_the_bypass(tenants):
    with observer(), tenant_context(tenants.bob.organisation.id):
        assert set(Membership.objects.values_list("organisation_id", flat=True)) == {
            tenants.bob.organisation.id
        }


@pytest.mark.django_db
def test_the_public_directory_policy_shows_listed_profiles_only(tenants):
    from partners.models import Organisation, PartnerProfile
    from tests.partners.factories_directory import PartnerProfileFactory

    # Given a listed profile for alice and bob, and bob's organisation suspended
    alice_profile = PartnerProfileFactory(organisation=tenants.alice.organisation)
    PartnerProfileFactory(organisation=tenants.bob.organisation)
    Organisation.objects.filter(pk=tenants.bob.organisation.pk).update(
        status=Organisation.Status.SUSPENDED
    )

    # Then an anonymous visitor's context reads alice's public profile only, and cannot
    # change it; charlie reads the same and nothing more
    with public_context():
        assert list(PartnerProfile.objects.all()) == [alice_profile]
        assert PartnerProfile.objects.update(display_name="defaced") == 0
        assert Membership.objects.count() == 0
    with tenant_context(tenants.charlie.organisation.id):
        assert list(PartnerProfile.objects.all()) == [alice_profile]
        assert PartnerProfile.objects.filter(pk=alice_profile.pk).delete()[0] == 0
    # while bob still reads its own profile
    with tenant_context(tenants.bob.organisation.id):
        assert PartnerProfile.objects.count() == 2
