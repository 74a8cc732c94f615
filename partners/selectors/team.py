"""Reads for the team: members, invitations, and an invitation found by its emailed token."""

from __future__ import annotations

import hashlib
from datetime import datetime

from django.db.models import QuerySet
from django.utils import timezone

from partners.models import Invitation, Membership
from portal.models import User
from portal.tenancy.context import system_context

# Invitation states, as the API and the pages name them.
INVITED = "invited"
EXPIRED = "expired"
ACCEPTED = "accepted"
REVOKED = "revoked"

#: What the link's page says when an invitation can no longer be used.
UNUSABLE_MESSAGES = {
    ACCEPTED: "This invitation has already been used. Log in to reach your reseller space.",
    REVOKED: "This invitation was withdrawn. Ask your organisation's administrator for a new one.",
    EXPIRED: (
        "This invitation has expired. Ask your organisation's administrator to send a new one."
    ),
}


def token_hash(token: str) -> str:
    """What is stored of an invitation token: its SHA-256, hex."""
    return hashlib.sha256(token.encode()).hexdigest()


def member_list(*, organisation) -> QuerySet[Membership]:
    """The organisation's members with their accounts, by email."""
    return (
        Membership.objects.for_tenant(organisation)
        .select_related("user")
        .order_by("user__email", "id")
    )


def admin_count(*, organisation) -> int:
    """How many administrators the organisation has (the last one cannot be demoted)."""
    return Membership.objects.for_tenant(organisation).filter(role=Membership.Role.ADMIN).count()


def invitation_open_list(*, organisation) -> QuerySet[Invitation]:
    """Invitations neither accepted nor revoked (expired ones included: they can be re-sent)."""
    return (
        Invitation.objects.for_tenant(organisation)
        .filter(accepted_at__isnull=True, revoked_at__isnull=True)
        .select_related("invited_by")
        .order_by("-created_at")
    )


def invitation_status(*, invitation: Invitation, now: datetime | None = None) -> str:
    if invitation.accepted_at is not None:
        return ACCEPTED
    if invitation.revoked_at is not None:
        return REVOKED
    if invitation.expires_at <= (now or timezone.now()):
        return EXPIRED
    return INVITED


def invitation_for_token(*, token: str) -> Invitation | None:
    """The invitation a link carries, with its organisation and inviter, or None.

    The person following the link has no tenant yet (or another one), so the look-up runs
    in a named system context; the row is read inside it.
    """
    if not token or len(token) > 200:
        return None
    with system_context("public:invitation"):
        return (
            Invitation.objects.select_related("organisation", "invited_by")
            .filter(token_hash=token_hash(token))
            .first()
        )


def user_for_email(*, email: str) -> User | None:
    """The account registered with this address (accounts are not tenant data)."""
    return User.objects.filter(email__iexact=email.strip()).first()
