from django.core.management.base import CommandError

from licensing.services.catalogue import available_catalogues, catalogue_load
from portal.errors import DomainError
from portal.management.base import SystemCommand


class Command(SystemCommand):
    help = "Load a programme's catalogue (products, plans, entitlements) from its fixture."

    def add_arguments(self, parser):
        parser.add_argument("name", choices=available_catalogues())

    def handle(self, *args, name, **options):
        try:
            products = catalogue_load(code=name)
        except DomainError as exc:
            raise CommandError(exc.message) from exc
        self.stdout.write(
            self.style.SUCCESS(
                f"Loaded the {name} catalogue: " + ", ".join(str(p) for p in products)
            )
        )
