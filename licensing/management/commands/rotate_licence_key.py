from licensing.services.signing import signing_key_rotate
from licensing.signing import public_key_pem
from portal.management.base import SystemCommand


class Command(SystemCommand):
    help = (
        "Make a new licence signing key the current one. The previous key is retired but "
        "stays published at /api/v1/licensing/public-key, so files it signed still verify."
    )

    def handle(self, *args, **options):
        key = signing_key_rotate(actor=None)
        self.stdout.write(self.style.SUCCESS(f"New current licence signing key: {key.kid}"))
        self.stdout.write(public_key_pem(key.public_key))
