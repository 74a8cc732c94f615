"""The unprivileged database role the application's queries run as.

With a single DATABASE_URL (docker-compose, the embedded development database) the app
connects as a superuser or table owner, both of which bypass row-level security. So the
role is created here (idempotently: roles are cluster-wide and the test database re-runs
this), granted DML on every table, and every context switches to it with
``set_config('role', ...)``. Deployments that log in as their own unprivileged role set
DATABASE_APP_ROLE to an empty string and grant it themselves.
"""

from django.conf import settings
from django.db import connections


def grant_app_role(using: str = "default", **_kwargs) -> None:
    role = settings.TENANCY_DB_ROLE
    if not role:
        return
    connection = connections[using]
    quoted = connection.ops.quote_name(role)
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", [role])
        if cursor.fetchone() is None:
            # Neither superuser, nor BYPASSRLS, nor owner of anything: RLS binds it.
            cursor.execute(
                f"CREATE ROLE {quoted} NOLOGIN NOSUPERUSER NOBYPASSRLS NOCREATEDB NOCREATEROLE"
            )
        cursor.execute(
            "SELECT pg_has_role(current_user, %s, 'MEMBER'), "
            "(SELECT rolsuper FROM pg_roles WHERE rolname = current_user)",
            [role],
        )
        is_member, is_superuser = cursor.fetchone()
        if not is_member and not is_superuser:
            # A non-superuser owner needs membership to SET ROLE to it.
            cursor.execute(f"GRANT {quoted} TO CURRENT_USER")
        for statement in (
            f"GRANT USAGE ON SCHEMA public TO {quoted}",
            f"GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO {quoted}",
            f"GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO {quoted}",
            # Tables created by later migrations of this same owner.
            f"ALTER DEFAULT PRIVILEGES IN SCHEMA public "
            f"GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO {quoted}",
            f"ALTER DEFAULT PRIVILEGES IN SCHEMA public "
            f"GRANT USAGE, SELECT ON SEQUENCES TO {quoted}",
        ):
            cursor.execute(statement)
