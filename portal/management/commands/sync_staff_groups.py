from django.core.management.base import BaseCommand

from portal.staff_groups import staff_groups_sync


class Command(BaseCommand):
    help = (
        "Create the channel team's groups (Channel reviewer, Channel finance, Programme "
        "manager) and give them exactly the permissions the apps define (idempotent)."
    )

    def handle(self, *args, **options):
        # Groups and permissions are not tenant data: no tenant context is needed.
        result = staff_groups_sync()
        if result.changed:
            self.stdout.write(
                self.style.SUCCESS(
                    f"Staff groups synced: {len(result.created_groups)} created, "
                    f"{result.added} permissions added, {result.removed} removed."
                )
            )
        else:
            self.stdout.write("Staff groups already up to date.")
