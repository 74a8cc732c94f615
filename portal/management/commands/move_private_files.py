"""Move private files that older versions stored in the public media directory.

Agreements and order forms used to be written under MEDIA_ROOT, which development served
at /media/. They now live in the private storage (PRIVATE_MEDIA_ROOT). Run this once after
upgrading; running it again moves nothing. Every file field whose storage is the private
one is covered, so later private documents (invoices, payment proofs) need nothing here.
"""

from django.apps import apps
from django.core.files.storage import storages
from django.db.models import FileField

from portal.management.base import SystemCommand
from portal.storage import PrivateStorage


def private_file_fields():
    for model in apps.get_models():
        for field in model._meta.get_fields():
            if isinstance(field, FileField) and isinstance(field.storage, PrivateStorage):
                yield model, field


class Command(SystemCommand):
    help = "Move private files (agreements, order forms) out of the public media directory."

    def handle(self, *args, **options):
        public, private = storages["default"], storages["private"]
        moved = missing = 0
        for model, field in private_file_fields():
            names = (
                model._default_manager.exclude(**{f"{field.name}__in": ["", None]})
                .values_list(field.name, flat=True)
                .distinct()
            )
            for name in names:
                if private.exists(name):
                    if public.exists(name):  # copied by an interrupted earlier run
                        public.delete(name)
                    continue
                if not public.exists(name):
                    missing += 1
                    self.stderr.write(f"missing: {model._meta.label}.{field.name} {name}")
                    continue
                with public.open(name, "rb") as content:
                    saved = private.save(name, content)
                if saved != name:  # never rename: the row names the file
                    raise RuntimeError(f"{name} was stored as {saved}")
                public.delete(name)
                moved += 1
        self.stdout.write(f"{moved} file(s) moved to the private storage, {missing} missing.")
