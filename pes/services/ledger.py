"""Writing the points ledger (pes.models.PointsEntry): the one way points are given or
taken. Every entry is audited in the same transaction.

Events award an activity once per event: the entry's ``event_key`` is unique per
organisation, and a second award of the same event (a redelivered task, two workers)
finds the first instead of adding to it.
"""

from __future__ import annotations

import datetime

from django.db import IntegrityError, transaction
from django.utils import timezone

from pes.models import Activity, PointsEntry
from pes.models.activities import AutoEvent
from portal.audit.services import audit_record
from portal.errors import DomainError
from portal.permissions import require_staff_permission


def entry_write(
    *,
    organisation,
    kind: str,
    points: int,
    earned_on: datetime.date,
    description: str,
    activity: Activity | None = None,
    claim=None,
    redemption=None,
    event_key: str = "",
    actor=None,
) -> PointsEntry:
    """Append one entry and its audit record (the caller's transaction, or its own)."""
    with transaction.atomic():
        entry = PointsEntry.objects.create(
            organisation_id=getattr(organisation, "pk", organisation),
            kind=kind,
            category=activity.category if activity is not None else "",
            activity=activity,
            points=points,
            earned_on=earned_on,
            description=description[:250],
            claim=claim,
            redemption=redemption,
            event_key=event_key,
            created_by=actor if getattr(actor, "is_authenticated", False) else None,
        )
        audit_record(
            actor=actor,
            action=f"points.{kind}",
            obj=entry,
            organisation=entry.organisation_id,
            after={"points": points, "earned_on": earned_on, "kind": kind},
            summary=f"{points:+d} engagement points: {description}"[:500],
        )
    return entry


def event_award(
    *,
    organisation,
    programme_id: int,
    event: AutoEvent | str,
    event_key: str,
    earned_on: datetime.date,
    what: str,
    points: int | None = None,
) -> PointsEntry | None:
    """Award the programme's activity for ``event`` once for ``event_key``; None when the
    programme awards nothing for it. Safe to call again for the same event. ``points``:
    the event's own value instead of the activity's (a session's PES points)."""
    activity = Activity.objects.filter(
        programme_id=programme_id, auto_event=event, active=True
    ).first()
    if activity is None or points == 0:
        return None
    organisation_id = getattr(organisation, "pk", organisation)
    existing = PointsEntry.objects.filter(
        organisation_id=organisation_id, event_key=event_key
    ).first()
    if existing is not None:
        return existing
    try:
        with transaction.atomic():
            return entry_write(
                organisation=organisation_id,
                kind=PointsEntry.Kind.EVENT,
                points=activity.points if points is None else points,
                earned_on=earned_on,
                description=f"{activity.name}: {what}",
                activity=activity,
                event_key=event_key,
            )
    except IntegrityError:
        # Another worker awarded the same event first.
        return PointsEntry.objects.filter(
            organisation_id=organisation_id, event_key=event_key
        ).first()


ADJUST_PERMISSION = "pes.adjust_points"
ADJUST_REASON_MAX = 250


def points_adjust(
    *, actor, organisation, points: int, reason: str, earned_on: datetime.date | None = None
) -> PointsEntry:
    """The channel team adds (or, negative, removes) points with a reason
    (``pes.adjust_points``). An adjustment counts in the score and the balance from
    ``earned_on`` (today by default); it belongs to no category."""
    require_staff_permission(
        actor, ADJUST_PERMISSION, "Adjusting points needs the channel team's permission for it."
    )
    try:
        points = int(points)
    except (TypeError, ValueError):
        raise DomainError("Give a whole number of points.", field="points") from None
    if points == 0 or abs(points) > 10_000:
        raise DomainError(
            "Give a number of points other than zero (at most 10,000).", field="points"
        )
    reason = " ".join(str(reason or "").split())
    if not reason:
        raise DomainError("Give the reason, shown to the partner.", field="reason", code="required")
    if len(reason) > ADJUST_REASON_MAX:
        raise DomainError(
            f"At most {ADJUST_REASON_MAX} characters.", field="reason", code="too_long"
        )
    today = timezone.localdate()
    earned_on = earned_on or today
    if earned_on > today:
        raise DomainError("An adjustment counts from today at the latest.", field="earned_on")
    return entry_write(
        organisation=organisation,
        kind=PointsEntry.Kind.ADJUSTMENT,
        points=points,
        earned_on=earned_on,
        description=reason,
        actor=actor,
    )
