"""Every database connection starts as the unprivileged application role, seeing nothing.

The hook runs when Django opens a connection: it switches the session to the application
role (``TENANCY_DB_ROLE``) with no tenant and no bypass. Code that forgot its context (a
plain management command, ``manage.py shell``, an ``on_commit`` callback after the
request's transaction) therefore sees no tenant row, whatever role the connection logged
in as. Where the app logs in as the application role itself (docker-compose), switching to
it changes nothing and there is no more privileged role to return to with ``RESET ROLE``.

Schema work needs the owner: ``owner_session`` (used by the ``migrate`` and ``flush``
commands) keeps the login role for its duration.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import DatabaseError, connections
from django.db.backends.base.base import NO_DB_ALIAS

from portal.tenancy.context import _apply, base_context


def on_connection_created(sender, connection, **kwargs) -> None:
    if connection.vendor != "postgresql" or connection.alias == NO_DB_ALIAS:
        return
    if getattr(connection, "tenancy_owner", False):
        return
    _become_app_role(connection)


def _become_app_role(connection) -> None:
    role = settings.TENANCY_DB_ROLE
    if role:
        try:
            with connection.cursor() as cursor:
                cursor.execute("SELECT set_config('role', %s, false)", [role])
        except DatabaseError as exc:
            raise ImproperlyConfigured(
                f"The database connection cannot become the application role {role!r} "
                f"({exc}). Run `manage.py migrate` as the database owner first; it creates "
                "the role (see README, Database roles)."
            ) from exc
    _apply(base_context(), connection.alias, local=False)


@contextmanager
def owner_session(using: str = "default") -> Iterator[None]:
    """Keep the login role (the schema owner) for schema work: migrations, and flushing
    the test database. Tenant rows stay visible to data migrations (bypass on)."""
    connection = connections[using]
    connection.tenancy_owner = True
    try:
        if connection.connection is not None:
            with connection.cursor() as cursor:
                cursor.execute("RESET ROLE")
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT set_config('app.tenant_id', '', false), "
                "set_config('app.bypass', 'on', false)"
            )
        yield
    finally:
        connection.tenancy_owner = False
        # Inside a transaction (a test's), the session-level switch lasts until it ends.
        if connection.connection is not None and not connection.needs_rollback:
            _become_app_role(connection)
