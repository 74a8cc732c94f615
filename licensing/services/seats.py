"""Seats of a per-user licence (issue 8, "Seats"): the customer who redeemed it names the
users who hold its seats, through the management link emailed with the key, never more
than the licence's quantity.

The licence row is locked before the seats are counted (the fixed order: licence, then
its links and seats), so two simultaneous additions for the last seat serialise and the
second is refused. The customer has no account: these services open the named system
context ``public:licence-seats`` themselves; the signed link is the credential.
"""

from __future__ import annotations

import uuid

from django.core.exceptions import ValidationError
from django.core.validators import validate_email

from licensing.models import CustomerLink, Licence, LicenceEvent, Seat, Unit
from licensing.selectors.links import INVALID_LINK, LinkInvalid, customer_link_check
from licensing.services.licences import licence_audited_values, licence_event_record, lock_licence
from portal.errors import Conflict, DomainError, NotFound
from portal.tenancy.context import system_context

SEATS_CONTEXT = "public:licence-seats"
NAME_LIMIT = 150


def seat_input_clean(*, name: str, email: str) -> tuple[str, str]:
    name = " ".join((name or "").split()) if isinstance(name, str) else ""
    if len(name) > NAME_LIMIT:
        raise DomainError(
            f"The name is {len(name)} characters long; the limit is {NAME_LIMIT}.",
            field="name",
            code="too_long",
        )
    email = (email or "").strip().lower() if isinstance(email, str) else ""
    try:
        validate_email(email)
    except ValidationError as exc:
        raise DomainError("Enter the user's email address.", field="email", code="invalid") from exc
    return name, email


def seat_add(*, link_id, name: str, email: str) -> Seat:
    """Give one seat of the licence to the user ``email``. ``Conflict`` when every seat is
    taken; ``DomainError`` for a bad or duplicate address."""
    name, email = seat_input_clean(name=name, email=email)
    with system_context(SEATS_CONTEXT):
        licence = _lock_for_seats(link_id)
        used = Seat.objects.filter(licence=licence).count()
        if used >= licence.quantity:
            raise Conflict(
                f"All {licence.quantity} seats are taken. Remove someone before adding "
                "another user, or ask the company that sold you the licence for more seats.",
                code="seats_full",
            )
        if Seat.objects.filter(licence=licence, email=email).exists():
            raise DomainError(f"{email} already holds a seat.", field="email", code="seat_exists")
        seat = Seat.objects.create(licence=licence, name=name, email=email)
        licence_event_record(
            licence=licence,
            kind=LicenceEvent.Kind.SEATS_CHANGED,
            actor=None,
            summary=f"Seat given to {name or email} ({used + 1} of {licence.quantity} used)",
            before=licence_audited_values(licence),
            detail={"added": email, "used": used + 1},
        )
    return seat


def seat_remove(*, link_id, seat_id) -> Seat:
    """Free the seat ``seat_id`` of the licence (the user loses it at once)."""
    try:
        seat_id = uuid.UUID(str(seat_id))
    except ValueError as exc:
        raise NotFound("This user holds no seat of this licence.") from exc
    with system_context(SEATS_CONTEXT):
        licence = _lock_for_seats(link_id)
        seat = Seat.objects.filter(licence=licence, pk=seat_id).first()
        if seat is None:
            raise NotFound("This user holds no seat of this licence (already removed?).")
        seat.delete()
        used = Seat.objects.filter(licence=licence).count()
        licence_event_record(
            licence=licence,
            kind=LicenceEvent.Kind.SEATS_CHANGED,
            actor=None,
            summary=f"Seat of {seat.name or seat.email} freed ({used} of {licence.quantity} used)",
            before=licence_audited_values(licence),
            detail={"removed": seat.email, "used": used},
        )
    return seat


def _lock_for_seats(link_id) -> Licence:
    """The licence of the seat-management link, row-locked, once the link is checked."""
    link = (
        CustomerLink.objects.filter(pk=link_id, purpose=CustomerLink.Purpose.MANAGE_SEATS)
        .select_related("licence__organisation")
        .first()
    )
    if link is None:
        raise LinkInvalid(INVALID_LINK)
    licence = lock_licence(link.licence_id)
    link.licence = licence
    customer_link_check(link)
    if licence.unit != Unit.PER_USER:
        raise LinkInvalid(INVALID_LINK)
    return licence
