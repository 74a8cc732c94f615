"""Migration operation that puts a tenant table behind PostgreSQL row-level security."""

from __future__ import annotations

from django.db import migrations

# One policy per command: a FOR ALL policy whose USING admits rows a distributor may only
# read would let it DELETE them too (WITH CHECK governs new row versions, not deletes).
READ, INSERT, UPDATE, DELETE = "tenant_read", "tenant_insert", "tenant_update", "tenant_delete"
POLICIES = (READ, INSERT, UPDATE, DELETE)
# The single FOR ALL policy of the first migrations, replaced by the four above.
LEGACY_POLICY = "tenant_isolation"

_TENANT = "nullif(current_setting('app.tenant_id', true), '')::uuid"
_BYPASS = "current_setting('app.bypass', true) = 'on'"


def policy_sql(
    table: str, *, visible_to_distributor: bool = False, via: tuple[str, str] | None = None
) -> list[str]:
    """ENABLE + FORCE (so the table owner is bound too) and a policy per command.

    Reads: the owner's rows, plus the rows a distributor supplied (``visible_to_distributor``).
    Writes (insert, update, delete): the owner's rows only. The system context
    (app.bypass = on) is the channel team, platform jobs and commands, named in code.

    ``via=(fk_column, parent_table)`` is for a table without an organisation of its own
    that hangs off a tenant table (an invoice line off its invoice): a row is readable when
    its parent is (the parent's own policy applies inside the subquery) and writable when
    its parent belongs to the tenant.
    """
    if via is None:
        read = f"{_BYPASS} OR organisation_id = {_TENANT}"
        if visible_to_distributor:
            read += f" OR distributor_id = {_TENANT}"
        write = f"{_BYPASS} OR organisation_id = {_TENANT}"
    else:
        # Table and column names come from the models, never from input.
        column, parent = via
        read = f'EXISTS (SELECT 1 FROM "{parent}" p WHERE p.id = "{table}"."{column}")'  # noqa: S608
        write = (
            f'EXISTS (SELECT 1 FROM "{parent}" p WHERE p.id = "{table}"."{column}" '  # noqa: S608
            f"AND ({_BYPASS} OR p.organisation_id = {_TENANT}))"
        )
    return [
        f'ALTER TABLE "{table}" ENABLE ROW LEVEL SECURITY',
        f'ALTER TABLE "{table}" FORCE ROW LEVEL SECURITY',
        *drop_policies_sql(table),
        f'CREATE POLICY {READ} ON "{table}" FOR SELECT USING ({read})',
        f'CREATE POLICY {INSERT} ON "{table}" FOR INSERT WITH CHECK ({write})',
        f'CREATE POLICY {UPDATE} ON "{table}" FOR UPDATE USING ({write}) WITH CHECK ({write})',
        f'CREATE POLICY {DELETE} ON "{table}" FOR DELETE USING ({write})',
    ]


def drop_policies_sql(table: str) -> list[str]:
    return [f'DROP POLICY IF EXISTS {name} ON "{table}"' for name in (LEGACY_POLICY, *POLICIES)]


class EnableTenantRLS(migrations.operations.base.Operation):
    """``EnableTenantRLS("membership")`` in the migration that creates the model.

    Works for historical tables too (``EnableTenantRLS("historicalmembership")``): any table
    with an ``organisation_id`` column holds tenant data. A child table without one names
    its parent: ``EnableTenantRLS("invoiceline", via="invoice")`` (the foreign key field).
    Running it again on a table replaces its policies (how 0003 migrations moved from one
    FOR ALL policy to one per command).
    """

    reversible = True
    reduces_to_sql = True

    def __init__(self, model_name: str, via: str | None = None):
        self.model_name = model_name
        self.via = via

    def state_forwards(self, app_label, state):
        pass

    def _policy(self, app_label, state) -> list[str]:
        model = state.apps.get_model(app_label, self.model_name)
        table = model._meta.db_table
        if self.via:
            field = model._meta.get_field(self.via)
            via = (field.column, field.related_model._meta.db_table)
            return policy_sql(table, via=via)
        field_names = {f.name for f in model._meta.get_fields()}
        return policy_sql(table, visible_to_distributor="distributor" in field_names)

    def database_forwards(self, app_label, schema_editor, from_state, to_state):
        for statement in self._policy(app_label, to_state):
            schema_editor.execute(statement)

    def database_backwards(self, app_label, schema_editor, from_state, to_state):
        table = from_state.apps.get_model(app_label, self.model_name)._meta.db_table
        for statement in drop_policies_sql(table):
            schema_editor.execute(statement)
        schema_editor.execute(f'ALTER TABLE "{table}" NO FORCE ROW LEVEL SECURITY')
        schema_editor.execute(f'ALTER TABLE "{table}" DISABLE ROW LEVEL SECURITY')

    def describe(self):
        return f"Enable tenant row-level security on {self.model_name}"

    @property
    def migration_name_fragment(self):
        return f"rls_{self.model_name}"

    def deconstruct(self):
        kwargs = {"via": self.via} if self.via else {}
        return (self.__class__.__name__, [self.model_name], kwargs)
