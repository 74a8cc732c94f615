"""``flush`` (which the test runner calls between transactional tests) truncates tables:
that is the schema owner's right, not the application role's."""

from django.core.management.commands import flush

from portal.tenancy.connection import owner_session


class Command(flush.Command):
    def execute(self, *args, **options):
        with owner_session(options.get("database") or "default"):
            return super().execute(*args, **options)
