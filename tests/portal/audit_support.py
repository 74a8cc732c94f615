"""Helpers for audit trail tests: read the trail as the platform does, act in a context."""

from __future__ import annotations

from portal.models import AuditEvent
from portal.tenancy.context import system_context, tenant_context
from tests.tenancy_support import observer


def seen():
    """Read (and write) across tenants, as a test observes (label ``test:observer``)."""
    return observer()


def acting_in(label: str = "staff:test", *, tenant=None):
    """The context a service runs in: a tenant's (its own admin acting) or a named system
    one (the channel team, a task, the public form)."""
    if tenant is not None:
        return tenant_context(tenant.pk)
    return system_context(label)


def events(action: str | None = None) -> list[AuditEvent]:
    """The trail, newest first (optionally one action's events)."""
    with seen():
        queryset = AuditEvent.objects.select_related("actor")
        if action is not None:
            queryset = queryset.filter(action=action)
        return list(queryset.order_by("-at", "-id"))
