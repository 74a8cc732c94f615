"""Reading sessions and registrations (issue "Sessions and training"): what a partner may
join, its registrations, and attendance counted towards the tier requirement "webinars
and enablement sessions" (SPEC §3.2)."""

from __future__ import annotations

import datetime

from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from django.utils import timezone

from partners.models import Organisation, Session, SessionRegistration


def _eligible(organisation: Organisation) -> Q:
    """Sessions open to the organisation's type and tier (no type chosen: every type;
    no minimum tier: every tier)."""
    through = Session.partner_types.through
    any_type = ~Exists(through.objects.filter(session_id=OuterRef("pk")))
    its_type = Exists(
        through.objects.filter(
            session_id=OuterRef("pk"), partnertype_id=organisation.partner_type_id
        )
    )
    level = organisation.tier.level if organisation.tier_id else 0
    return (any_type | its_type) & (Q(min_tier_level__isnull=True) | Q(min_tier_level__lte=level))


def session_is_eligible(*, session: Session, organisation: Organisation) -> bool:
    return Session.objects.filter(_eligible(organisation), pk=session.pk).exists()


def sessions_upcoming(
    *, organisation: Organisation, now: datetime.datetime | None = None
) -> QuerySet[Session]:
    """Scheduled sessions not started yet that the organisation may join, soonest first."""
    now = now or timezone.now()
    return Session.objects.filter(
        _eligible(organisation), status=Session.Status.SCHEDULED, starts_at__gt=now
    ).order_by("starts_at", "pk")


def registrations_of(*, organisation: Organisation) -> QuerySet[SessionRegistration]:
    """The organisation's registrations, with their sessions, soonest first."""
    return (
        SessionRegistration.objects.for_tenant(organisation)
        .select_related("session")
        .order_by("session__starts_at", "person_name", "pk")
    )


def _attended(start: datetime.date, end: datetime.date) -> QuerySet[SessionRegistration]:
    return SessionRegistration.objects.filter(
        status=SessionRegistration.Status.ATTENDED,
        session__starts_at__date__gte=start,
        session__starts_at__date__lte=end,
    )


def sessions_attended_count(
    *, organisation: Organisation, start: datetime.date, end: datetime.date
) -> int:
    """How many sessions (webinars, enablement sessions, trainings) starting between
    ``start`` and ``end`` (inclusive) someone of the organisation attended: a session
    attended by several members counts once. One query."""
    return (
        _attended(start, end)
        .filter(organisation=organisation)
        .aggregate(n=Count("session", distinct=True))["n"]
    )


def sessions_attended_by_organisation(*, start: datetime.date, end: datetime.date) -> dict:
    """``sessions_attended_count`` for every organisation at once ({organisation id:
    count}; organisations with none are absent). One query; needs a context that reads
    every tenant (a system context)."""
    rows = (
        _attended(start, end)
        .values("organisation")
        .annotate(n=Count("session", distinct=True))
        .values_list("organisation", "n")
    )
    return dict(rows)
