from django.core.management.base import BaseCommand

from portal.tenancy.context import system_context


class SystemCommand(BaseCommand):
    """A management command that runs in a named system context (``command:<name>``), in
    one transaction: it sees every tenant, and a failure leaves nothing half-written."""

    def execute(self, *args, **options):
        name = self.__module__.rsplit(".", 1)[-1]
        with system_context(f"command:{name}"):
            return super().execute(*args, **options)
