"""Writing the points ledger (pes.models.PointsEntry): the one way points are given or
taken. Every entry is audited in the same transaction.

Events award an activity once per event: the entry's ``event_key`` is unique per
organisation, and a second award of the same event (a redelivered task, two workers)
finds the first instead of adding to it.
"""

from __future__ import annotations

import datetime

from django.db import IntegrityError, transaction

from pes.models import Activity, PointsEntry
from pes.models.activities import AutoEvent
from portal.audit.services import audit_record


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
) -> PointsEntry | None:
    """Award the programme's activity for ``event`` once for ``event_key``; None when the
    programme awards nothing for it. Safe to call again for the same event."""
    activity = Activity.objects.filter(
        programme_id=programme_id, auto_event=event, active=True
    ).first()
    if activity is None:
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
                points=activity.points,
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
