"""The unprivileged database role the application's queries run as.

Created after every ``migrate`` (idempotently: roles are cluster-wide and the test
database re-runs this) and granted DML on every table; neither superuser, nor BYPASSRLS,
nor owner of anything, so row-level security binds it.

Two ways to use it (README, "Database roles"):
- The app logs in as this role (docker-compose): ``DATABASE_APP_PASSWORD`` given to
  ``migrate`` makes it a LOGIN role with that password, and only ``migrate`` connects as
  the owner. Even injected SQL then has no more privileged role to return to.
- One login for everything (the embedded development database, the test suite): every
  connection switches to the role when it opens (portal.tenancy.connection). Code that
  forgets its context still sees nothing, but SQL injected as the app could RESET ROLE.
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
        password = settings.TENANCY_DB_ROLE_PASSWORD
        if password:
            # The app logs in as the role itself (docker-compose).
            cursor.execute(f"ALTER ROLE {quoted} LOGIN PASSWORD %s", [password])
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
