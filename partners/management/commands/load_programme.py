from django.core.management.base import CommandError

from partners.services.programme import available_programmes, programme_load
from portal.errors import DomainError
from portal.management.base import SystemCommand


class Command(SystemCommand):
    help = "Load a partner programme's rules from its fixture (idempotent)."

    def add_arguments(self, parser):
        parser.add_argument("name", choices=available_programmes())
        parser.add_argument(
            "--default",
            action="store_true",
            help="Make it the default programme for new applications.",
        )

    def handle(self, *args, name, default, **options):
        try:
            programme = programme_load(code=name, make_default=True if default else None)
        except DomainError as exc:
            raise CommandError(exc.message) from exc
        counts = (
            programme.types.count(),
            sum(t.tiers.count() for t in programme.types.all()),
            programme.discounts.count(),
            programme.embargoes.count(),
        )
        self.stdout.write(
            self.style.SUCCESS(
                f"Loaded {programme.name}: {counts[0]} partner types, {counts[1]} tiers, "
                f"{counts[2]} discount rules, {counts[3]} embargoed territories"
                + (" (default)" if programme.is_default else "")
            )
        )
