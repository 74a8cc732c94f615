"""Reading an organisation's contact requests (what visitors wrote through the locator)."""

from __future__ import annotations

from django.db.models import QuerySet

from partners.models import ContactRequest, Organisation


def contact_requests_for(*, organisation: Organisation) -> QuerySet[ContactRequest]:
    """The organisation's requests, newest first."""
    return ContactRequest.objects.for_tenant(organisation).order_by("-created_at", "-id")


def contact_requests_unread(*, organisation: Organisation) -> int:
    return contact_requests_for(organisation=organisation).filter(read_at__isnull=True).count()
