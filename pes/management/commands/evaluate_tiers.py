from django.core.management.base import CommandError
from django.utils import timezone

from partners.models import Organisation
from pes.quarters import Quarter
from pes.services.evaluation import evaluate_quarter
from portal.errors import DomainError
from portal.management.base import SystemCommand


class Command(SystemCommand):
    help = (
        "Evaluate every partner (or one) for a quarter: every criterion of its tier, one "
        "record per partner and quarter (a re-run replaces it), transitions at a second "
        "failed quarter of the year, upgrade flags. Partners are emailed their result once."
    )

    def add_arguments(self, parser):
        parser.add_argument("--quarter", help="Like 2026Q3. Default: the last quarter that ended.")
        parser.add_argument("--organisation", help="One partner's id (default: every partner).")
        parser.add_argument(
            "--no-email", action="store_true", help="Record the results without emailing."
        )

    def handle(self, *args, **options):
        try:
            quarter = (
                Quarter.parse(options["quarter"])
                if options["quarter"]
                else Quarter.containing(timezone.localdate()).previous()
            )
        except ValueError as exc:
            raise CommandError(str(exc)) from exc
        organisation = None
        if options["organisation"]:
            organisation = Organisation.objects.filter(pk=options["organisation"]).first()
            if organisation is None:
                raise CommandError(f"No organisation {options['organisation']}.")
        try:
            run = evaluate_quarter(
                quarter=quarter, organisation=organisation, notify=not options["no_email"]
            )
        except DomainError as exc:
            raise CommandError(exc.message) from exc
        self.stdout.write(self.style.SUCCESS(run.summary()))
        for change in run.transitions:
            self.stdout.write(
                f"  moved: {change.organisation.name}: {change.from_tier} → {change.to_tier}"
            )
