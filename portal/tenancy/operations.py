"""Migration operation that puts a tenant table behind PostgreSQL row-level security."""

from __future__ import annotations

from django.db import migrations

POLICY = "tenant_isolation"
_TENANT = "nullif(current_setting('app.tenant_id', true), '')::uuid"
_BYPASS = "current_setting('app.bypass', true) = 'on'"


def policy_sql(table: str, *, visible_to_distributor: bool) -> list[str]:
    """ENABLE + FORCE (so the table owner is bound too) and one policy.

    USING decides what may be read: the owner's rows, plus the rows a distributor supplied.
    WITH CHECK decides what may be written: the owner's rows only. The system context
    (app.bypass = on) is the channel team, tasks and commands, always named in code.
    """
    using = f"{_BYPASS} OR organisation_id = {_TENANT}"
    if visible_to_distributor:
        using += f" OR distributor_id = {_TENANT}"
    check = f"{_BYPASS} OR organisation_id = {_TENANT}"
    return [
        f'ALTER TABLE "{table}" ENABLE ROW LEVEL SECURITY',
        f'ALTER TABLE "{table}" FORCE ROW LEVEL SECURITY',
        f'DROP POLICY IF EXISTS {POLICY} ON "{table}"',
        f'CREATE POLICY {POLICY} ON "{table}" USING ({using}) WITH CHECK ({check})',
    ]


class EnableTenantRLS(migrations.operations.base.Operation):
    """``EnableTenantRLS("membership")`` in the migration that creates the model.

    Works for historical tables too (``EnableTenantRLS("historicalmembership")``): any table
    with an ``organisation_id`` column holds tenant data.
    """

    reversible = True
    reduces_to_sql = True

    def __init__(self, model_name: str):
        self.model_name = model_name

    def state_forwards(self, app_label, state):
        pass

    def _table(self, app_label, state):
        model = state.apps.get_model(app_label, self.model_name)
        field_names = {f.name for f in model._meta.get_fields()}
        return model._meta.db_table, "distributor" in field_names

    def database_forwards(self, app_label, schema_editor, from_state, to_state):
        table, visible_to_distributor = self._table(app_label, to_state)
        for statement in policy_sql(table, visible_to_distributor=visible_to_distributor):
            schema_editor.execute(statement)

    def database_backwards(self, app_label, schema_editor, from_state, to_state):
        table, _ = self._table(app_label, from_state)
        schema_editor.execute(f'DROP POLICY IF EXISTS {POLICY} ON "{table}"')
        schema_editor.execute(f'ALTER TABLE "{table}" NO FORCE ROW LEVEL SECURITY')
        schema_editor.execute(f'ALTER TABLE "{table}" DISABLE ROW LEVEL SECURITY')

    def describe(self):
        return f"Enable tenant row-level security on {self.model_name}"

    @property
    def migration_name_fragment(self):
        return f"rls_{self.model_name}"

    def deconstruct(self):
        return (self.__class__.__name__, [self.model_name], {})
