"""The vendor's licence signing keys: the first one made when first needed, rotation.

One key is current and signs new licence files; rotating retires it (it stays published,
so files it signed still verify) and makes a new current one. Keys are the platform's own
rows (no tenant); their audit records name no organisation.
"""

from __future__ import annotations

from django.db import IntegrityError, transaction
from django.utils import timezone

from licensing.models import SigningKey
from licensing.signing import generate_key_pair
from portal.audit.services import audit_record
from portal.errors import Conflict
from portal.permissions import require_staff_permission


def signing_key_current() -> SigningKey:
    """The key that signs new licence files, made on first use.

    Two first uses at once both try to insert a current key; the unique constraint on the
    current key lets one in, and the other reads the winner's key."""
    key = SigningKey.objects.filter(is_current=True).first()
    if key is not None:
        return key
    with transaction.atomic():
        try:
            with transaction.atomic():
                key = _create_current_key()
        except IntegrityError:
            return SigningKey.objects.get(is_current=True)
        audit_record(
            actor=None,
            action="signing_key.created",
            obj=key,
            organisation=None,
            after={"kid": key.kid},
            summary=f"First licence signing key {key.kid} created",
        )
    return key


@transaction.atomic
def signing_key_rotate(*, actor) -> SigningKey:
    """Retire the current key and make a new current one. ``actor``: the staff member
    (with the permission to add signing keys), or None for the platform (the
    ``rotate_licence_key`` command)."""
    if actor is not None:
        require_staff_permission(actor, "licensing.add_signingkey")
    previous = SigningKey.objects.select_for_update().filter(is_current=True).first()
    if previous is not None:
        previous.is_current = False
        previous.retired_at = timezone.now()
        previous.save(update_fields=["is_current", "retired_at"])
    try:
        with transaction.atomic():
            key = _create_current_key()
    except IntegrityError as exc:
        raise Conflict("Another rotation has just made a new key.", code="rotated") from exc
    summary = f"Licence signing key rotated: {key.kid} signs new licence files"
    if previous is not None:
        summary += f"; {previous.kid} retired and still published"
    audit_record(
        actor=actor,
        action="signing_key.rotated",
        obj=key,
        organisation=None,
        before={"kid": previous.kid if previous is not None else None},
        after={"kid": key.kid},
        summary=summary,
    )
    return key


def _create_current_key() -> SigningKey:
    pair = generate_key_pair()
    return SigningKey.objects.create(
        kid=pair.kid,
        public_key=pair.public_key,
        private_key_encrypted=pair.private_key_encrypted,
        is_current=True,
    )
