"""``migrate`` as the schema owner (the login role), not as the application role every
other connection switches to (portal.tenancy.connection)."""

from django.core.management.commands import migrate

from portal.tenancy.connection import owner_session


class Command(migrate.Command):
    def execute(self, *args, **options):
        with owner_session(options.get("database") or "default"):
            return super().execute(*args, **options)
