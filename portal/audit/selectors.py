"""Reading the audit trail."""

from __future__ import annotations

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import QuerySet

from portal.models import AuditEvent


def activity_for_organisation(*, organisation) -> QuerySet[AuditEvent]:
    """What happened in and to the organisation, newest first (its activity feed). The
    queryset reads a constant number of rows per page, however many events there are."""
    return (
        AuditEvent.objects.for_tenant(organisation)
        .select_related("actor", "content_type")
        .order_by("-at", "-id")
    )


def audit_trail_for_object(*, obj: models.Model) -> QuerySet[AuditEvent]:
    """The events about one object, newest first; for an organisation, every event that
    concerns it (its members, agreement, profile...) as well."""
    content_type = ContentType.objects.get_for_model(obj)
    about = models.Q(content_type=content_type, object_id=str(obj.pk))
    if obj._meta.label == settings.TENANCY_ORGANISATION_MODEL:
        about |= models.Q(organisation_id=obj.pk)
    return (
        AuditEvent.objects.filter(about)
        .select_related("actor", "content_type", "organisation")
        .order_by("-at", "-id")
    )


def recent_actions_of(*, actor, limit: int = 10) -> list[AuditEvent]:
    """The actor's own latest recorded actions (the admin home's "Recent actions": the
    decisions go through services and the audit trail, not Django's admin log)."""
    return list(
        AuditEvent.objects.filter(actor=actor)
        .select_related("content_type")
        .order_by("-at", "-id")[:limit]
    )


def actor_for_partner(event: AuditEvent) -> str:
    """Who did it, as a partner's admin is told: a member by name, the vendor's people as
    "Channel team" (their accounts are not the partner's business), jobs as "System"."""
    if event.actor is not None:
        if event.actor.is_staff:
            return "Channel team"
        return event.actor.get_full_name()
    if event.actor_label.startswith("staff:"):
        return "Channel team"
    return "System"
