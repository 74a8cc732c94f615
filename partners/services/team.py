"""Writes for the team (SPEC §3.8): invitations, roles, removals.

The page (partners/views/team.py) and the API (partners/api/team.py) both call these; the
rules live here only.

Two rules need care under concurrency:

* An organisation always keeps at least one admin. Every change that could take away an
  admin first row-locks the organisation's admin memberships in id order
  (``_lock_admins``), then checks. Two concurrent demotions of the last two admins
  serialise on those locks; the second one re-reads the set (PostgreSQL re-checks the
  ``role = 'admin'`` condition on the newly committed row) and is refused.
* An invitation token is used once: acceptance row-locks the invitation first.

Acceptance is done by someone without a tenant yet (or a logged-in person of the invited
address), so ``invitation_accept`` does its look-up and writes inside
``system_context("public:invitation")`` itself: callers need no context of their own.
"""

from __future__ import annotations

import logging
import secrets
from datetime import timedelta

from allauth.account.models import EmailAddress
from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from partners import roles
from partners.models import Invitation, Membership, Organisation
from partners.selectors.team import (
    INVITED,
    UNUSABLE_MESSAGES,
    invitation_status,
    token_hash,
    user_for_email,
)
from portal.audit.services import audit_record
from portal.errors import Conflict, DomainError, Forbidden, NotFound
from portal.formats import format_datetime
from portal.mail import send_templated
from portal.models import User
from portal.permissions import require_staff_permission
from portal.tenancy.context import system_context, tenant_context

logger = logging.getLogger(__name__)

#: How long an emailed invitation link stays valid.
INVITATION_VALIDITY = timedelta(days=14)

#: Said about an address that belongs to another organisation (or the channel team):
#: nothing about who it belongs to.
NOT_INVITABLE = "This address cannot be invited. Ask the person to contact the channel team."


class InvitationGone(DomainError):
    """The link was real but can no longer be used (expired, revoked, already used)."""

    status_code = 410
    default_code = "invitation_gone"


# --- invitations --------------------------------------------------------------------------


def invitation_create(
    *,
    organisation: Organisation,
    email: str,
    role: str,
    invited_by: User | None,
    base_url: str | None = None,
) -> Invitation:
    """Invite ``email`` to ``organisation`` with ``role`` and email them a link.

    ``invited_by`` is None when the platform invites (the channel team's approval of an
    application invites the organisation's first admin; the organisation may still be
    pending). An open invitation to the same address is replaced. ``base_url`` starts
    the link (``https://host``); by default ``settings.PORTAL_BASE_URL``. The token and
    the email come after the commit (``invitation_send``).
    """
    from partners.tasks import send_invitation  # tasks import the services

    with transaction.atomic():
        if invited_by is not None:
            _ensure_may_manage(
                actor=invited_by,
                organisation_id=organisation.pk,
                staff_permission="partners.add_invitation",
            )
        email, role = invitation_validate(organisation=organisation, email=email, role=role)

        now = timezone.now()
        # Replace, never stack: the old link stops working.
        replaced = list(
            Invitation.objects.for_tenant(organisation)
            .select_for_update()
            .filter(email=email, accepted_at__isnull=True, revoked_at__isnull=True)
        )
        for old in replaced:
            old.revoked_at = now
            old.save(update_fields=["revoked_at"])
            audit_record(
                actor=invited_by,
                action="invitation.revoked",
                obj=old,
                organisation=organisation,
                before={"revoked_at": None},
                after={"revoked_at": now},
                summary=f"Invitation to {old.email} replaced by a new one",
            )

        try:
            with transaction.atomic():
                invitation = Invitation.objects.create(
                    organisation=organisation,
                    email=email,
                    role=role,
                    invited_by=invited_by,
                    expires_at=now + INVITATION_VALIDITY,
                )
        except IntegrityError as exc:  # a concurrent invitation to the same address won
            raise Conflict(
                "An invitation to this address was sent a moment ago.",
                field="email",
                code="invitation_exists",
            ) from exc
        audit_record(
            actor=invited_by,
            action="invitation.created",
            obj=invitation,
            organisation=organisation,
            after={"email": email, "role": role, "expires_at": invitation.expires_at},
            summary=f"{email} invited as {Membership.Role(role).label}",
        )

        # The id and the host travel, never the link: see invitation_send.
        send_invitation.delay_on_commit(
            invitation_id=str(invitation.pk),
            organisation_id=str(organisation.pk),
            base_url=(base_url or settings.PORTAL_BASE_URL).rstrip("/"),
        )
    logger.info(
        "invitation created",
        extra={"invitation": str(invitation.pk), "organisation": str(organisation.pk)},
    )
    return invitation


def invitation_validate(*, organisation: Organisation, email: str, role: str) -> tuple[str, str]:
    """The address and role as an invitation stores them, or a ``DomainError`` for the field
    at fault. ``invitation_create`` calls it; a form calls it to show errors beside fields."""
    email = _clean_email(email)
    role = _clean_role(role)
    _ensure_invitable(email=email, organisation=organisation)
    return email, role


def invitation_send(*, invitation_id: str, organisation_id: str, base_url: str) -> bool:
    """Mint the invitation's token and email the link; False when there is nothing to send.

    Why the token is minted here, by the task that sends the email, and not when the
    invitation is created: a link made at creation would have to reach this task through
    the outbox table and the broker, where it would sit in clear (the outbox keeps sent
    rows for days) and anyone reading either could take the invited seat, which for an
    approved application is the new partner's first admin. Made here, the token exists
    only in this process's memory and in the email; the database keeps its SHA-256 only.

    Delivery is at least once, so this is idempotent: an invitation that already has a
    token was emailed (the hash is saved in the same transaction as the send), and a
    revoked, accepted or expired one is not emailed at all. If the send fails, the
    transaction rolls back with it and the retry mints a fresh token.

    It runs as the invitation's organisation (an email to one partner needs no view of the
    others).
    """
    with tenant_context(organisation_id):
        invitation = (
            Invitation.objects.for_tenant(organisation_id)
            .select_for_update(of=("self",))
            .select_related("organisation", "invited_by")
            .filter(pk=invitation_id)
            .first()
        )
        if (
            invitation is None
            or invitation.token_hash
            or invitation_status(invitation=invitation) != INVITED
        ):
            return False
        token = secrets.token_urlsafe(32)
        invitation.token_hash = token_hash(token)
        invitation.save(update_fields=["token_hash"])
        audit_record(  # the token itself (and its hash) never reach the trail
            actor=None,  # the sending task, named by the trail
            action="invitation.sent",
            obj=invitation,
            organisation=invitation.organisation_id,
            after={"emailed_to": invitation.email},
            summary=f"Invitation link emailed to {invitation.email}",
        )
        invited_by = invitation.invited_by
        send_templated(
            to=[invitation.email],
            template="partners/emails/invitation",
            context={
                "organisation_name": invitation.organisation.name,
                "role": Membership.Role(invitation.role).label,
                "invited_by": (invited_by.get_full_name() if invited_by else ""),
                "expires_at": format_datetime(invitation.expires_at),
                "validity_days": INVITATION_VALIDITY.days,
                "accept_url": base_url.rstrip("/")
                + reverse("partners:invitation_accept", kwargs={"token": token}),
            },
        )
    logger.info("invitation emailed", extra={"invitation": str(invitation.pk)})
    return True


def invitation_revoke(*, invitation: Invitation, actor: User) -> Invitation:
    """Withdraw an open invitation: its link stops working. Revoking twice is harmless."""
    with transaction.atomic():
        _ensure_may_manage(
            actor=actor,
            organisation_id=invitation.organisation_id,
            staff_permission="partners.change_invitation",
        )
        locked = (
            Invitation.objects.select_for_update()
            .filter(pk=invitation.pk, organisation_id=invitation.organisation_id)
            .first()
        )
        if locked is None:
            raise NotFound("This invitation no longer exists.")
        if locked.accepted_at is not None:
            raise Conflict(
                "This invitation was already accepted; remove the member instead.",
                code="invitation_used",
            )
        if locked.revoked_at is None:
            locked.revoked_at = timezone.now()
            locked.save(update_fields=["revoked_at"])
            audit_record(
                actor=actor,
                action="invitation.revoked",
                obj=locked,
                organisation=locked.organisation_id,
                before={"revoked_at": None},
                after={"revoked_at": locked.revoked_at},
                summary=f"Invitation to {locked.email} withdrawn",
            )
    logger.info("invitation revoked", extra={"invitation": str(locked.pk), "actor": str(actor.pk)})
    return locked


def invitation_accept(
    *, token: str, user: User | None = None, full_name: str = "", password: str = ""
) -> Membership:
    """Join the organisation an emailed link invites to; returns the new membership.

    ``user`` is the logged-in person (their address must be the invited one). Without
    one, an account is created for the invited address with ``full_name`` and
    ``password``; the address counts as verified, since the link reached it.
    """
    with system_context("public:invitation"):
        invitation = (
            Invitation.objects.select_for_update().filter(token_hash=token_hash(token)).first()
        )
        if invitation is None:
            raise NotFound("This invitation link is not valid.", code="invitation_invalid")
        _ensure_usable(invitation)
        organisation = Organisation.objects.get(pk=invitation.organisation_id)

        if user is not None:
            if user.email.lower() != invitation.email:
                raise Forbidden(
                    f"This invitation was sent to {invitation.email}, and you are logged in "
                    f"as {user.email}. Log out, then open the link again.",
                    code="wrong_account",
                )
            # The link reached the address: it is verified.
            EmailAddress.objects.filter(user=user, email__iexact=invitation.email).update(
                verified=True
            )
        else:
            if user_for_email(email=invitation.email) is not None:
                raise DomainError(
                    "An account already exists for this address: log in, then open the link again.",
                    code="account_exists",
                )
            user = _user_create(email=invitation.email, full_name=full_name, password=password)

        if user.is_staff:
            raise Forbidden(
                "Channel team accounts cannot join a partner organisation.", code="staff"
            )
        current = Membership.objects.filter(user=user).first()
        if current is not None:
            if current.organisation_id == invitation.organisation_id:
                raise Conflict(
                    f"You are already a member of {organisation.name}.", code="already_member"
                )
            raise Conflict(
                "Your account already belongs to another partner organisation; one account "
                "belongs to one organisation. Ask the channel team for help.",
                code="member_elsewhere",
            )

        membership = Membership(organisation=organisation, user=user, role=invitation.role)
        membership._history_user = user
        try:
            with transaction.atomic():
                membership.save()
        except IntegrityError as exc:  # the same person joining twice at once
            raise Conflict(
                "You have just joined an organisation.", code="member_elsewhere"
            ) from exc
        invitation.accepted_at = timezone.now()
        invitation.save(update_fields=["accepted_at"])
        role_label = Membership.Role(membership.role).label
        audit_record(
            actor=user,
            action="invitation.accepted",
            obj=invitation,
            organisation=organisation,
            before={"accepted_at": None},
            after={"accepted_at": invitation.accepted_at, "membership": membership.pk},
            summary=f"{user.email} accepted the invitation",
        )
        audit_record(
            actor=user,
            action="membership.created",
            obj=membership,
            organisation=organisation,
            after={"user": user.email, "role": membership.role},
            summary=f"{user.email} joined as {role_label}",
        )
    logger.info(
        "invitation accepted",
        extra={"invitation": str(invitation.pk), "membership": str(membership.pk)},
    )
    return membership


# --- members ------------------------------------------------------------------------------


def membership_change_role(*, membership: Membership, role: str, actor: User) -> Membership:
    """Give a member another role; the organisation's last admin stays an admin."""
    role = _clean_role(role)
    with transaction.atomic():
        _ensure_may_manage(
            actor=actor,
            organisation_id=membership.organisation_id,
            staff_permission="partners.change_membership",
        )
        admins = _lock_admins(organisation_id=membership.organisation_id)
        target = _lock_membership(membership)
        if target.role == role:
            return target
        _refuse_last_admin(target=target, admins=admins, new_role=role)
        previous = target.role
        target.role = role
        target._history_user = actor
        target.save(update_fields=["role"])
        audit_record(
            actor=actor,
            action="membership.role_changed",
            obj=target,
            organisation=target.organisation_id,
            before={"role": previous},
            after={"role": role},
            summary=f"{target.user.email}: role changed from "
            f"{Membership.Role(previous).label} to {Membership.Role(role).label}",
        )
    return target


def membership_remove(*, membership: Membership, actor: User) -> None:
    """Take a person out of the organisation: they keep their account but lose access at
    once (every request looks the membership up). The last admin cannot be removed."""
    with transaction.atomic():
        _ensure_may_manage(
            actor=actor,
            organisation_id=membership.organisation_id,
            staff_permission="partners.delete_membership",
        )
        admins = _lock_admins(organisation_id=membership.organisation_id)
        target = _lock_membership(membership)
        _refuse_last_admin(target=target, admins=admins, new_role=None)
        audit_record(  # before the row goes: the record names it
            actor=actor,
            action="membership.removed",
            obj=target,
            organisation=target.organisation_id,
            before={"user": target.user.email, "role": target.role},
            summary=f"{target.user.email} removed from the organisation",
        )
        target._history_user = actor
        target.delete()
    logger.info("member removed", extra={"membership": str(membership.pk), "actor": str(actor.pk)})


def membership_change_validate(*, membership: Membership, role: str | None) -> None:
    """For a form: would giving ``membership`` this ``role`` (None: removing it) leave the
    organisation without an admin? Reads without locks; the services check again under
    theirs, so a concurrent change is still refused there."""
    if role is not None:
        role = _clean_role(role)
    admins = list(
        Membership.objects.filter(organisation_id=membership.organisation_id, role=roles.ADMIN)
    )
    _refuse_last_admin(target=membership, admins=admins, new_role=role)


# --- helpers ------------------------------------------------------------------------------


def _refuse_last_admin(*, target: Membership, admins: list[Membership], new_role: str | None):
    """The last-admin rule, once: ``admins`` are the organisation's admins, ``new_role``
    what ``target`` becomes (None: removed)."""
    if target.role != roles.ADMIN or new_role == roles.ADMIN:
        return
    if [a for a in admins if a.pk != target.pk]:
        return
    if new_role is None:
        raise Conflict(
            "An organisation needs at least one administrator: make someone else an "
            "administrator before removing this one.",
            code="last_admin",
        )
    raise Conflict(
        "An organisation needs at least one administrator: make someone else an "
        "administrator first.",
        field="role",
        code="last_admin",
    )


def _lock_admins(*, organisation_id) -> list[Membership]:
    """Row-lock the organisation's admin memberships, always in id order, so that two
    callers wait for each other instead of deadlocking, and return them."""
    return list(
        Membership.objects.select_for_update()
        .filter(organisation_id=organisation_id, role=roles.ADMIN)
        .order_by("id")
    )


def _lock_membership(membership: Membership) -> Membership:
    locked = (
        Membership.objects.select_for_update()
        .filter(pk=membership.pk, organisation_id=membership.organisation_id)
        .first()
    )
    if locked is None:
        raise NotFound("This person is no longer a member.")
    return locked


def _ensure_may_manage(*, actor: User, organisation_id, staff_permission: str) -> None:
    """Defence in depth: pages and API check the role too, but a service never trusts it.
    The channel team (in the admin) needs the Django permission for the action."""
    if actor is None:
        raise Forbidden("Someone must be named as doing this.")
    if actor.is_staff:
        require_staff_permission(actor, staff_permission)
        return
    if not Membership.objects.filter(
        user=actor, organisation_id=organisation_id, role__in=roles.MANAGE_TEAM
    ).exists():
        raise Forbidden("Only your organisation's administrators can manage the team.")


def _ensure_invitable(*, email: str, organisation: Organisation) -> None:
    """Refuse members of this organisation plainly, and anyone else's people generically.

    Memberships of other organisations are invisible in a tenant context, so this one
    existence check reads across tenants, in a named system context.
    """
    with system_context("team:invitee-check"):
        row = (
            User.objects.filter(email__iexact=email)
            .values_list("is_staff", "membership__organisation_id")
            .first()
        )
    if row is None:
        return
    is_staff, member_of = row
    if member_of == organisation.pk:
        raise DomainError(
            "This person is already a member of your organisation.",
            field="email",
            code="already_member",
        )
    if is_staff or member_of is not None:
        raise DomainError(NOT_INVITABLE, field="email", code="not_invitable")


def _ensure_usable(invitation: Invitation) -> None:
    status = invitation_status(invitation=invitation)
    if status != INVITED:
        raise InvitationGone(UNUSABLE_MESSAGES[status], code=f"invitation_{status}")


def _user_create(*, email: str, full_name: str, password: str) -> User:
    full_name = " ".join((full_name or "").split())
    if not full_name:
        raise DomainError("Enter your full name.", field="full_name", code="required")
    if len(full_name) > 150:
        raise DomainError("Use at most 150 characters.", field="full_name", code="max_length")
    if not password:
        raise DomainError("Choose a password.", field="password", code="required")
    try:
        validate_password(password, user=User(email=email, full_name=full_name))
    except ValidationError as exc:
        raise DomainError(
            " ".join(exc.messages), field="password", code="password_invalid"
        ) from exc
    try:
        with transaction.atomic():
            user = User.objects.create_user(email=email, password=password, full_name=full_name)
            EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)
    except IntegrityError as exc:
        raise Conflict(
            "An account for this address was created a moment ago: log in, then open the "
            "link again.",
            code="account_exists",
        ) from exc
    return user


def _clean_email(email: str) -> str:
    email = (email or "").strip().lower()
    try:
        validate_email(email)
    except ValidationError as exc:
        raise DomainError("Enter a valid email address.", field="email", code="invalid") from exc
    return email


def _clean_role(role: str) -> str:
    if role not in roles.ALL:
        raise DomainError(
            f"Choose one of: {', '.join(sorted(roles.ALL))}.", field="role", code="invalid_choice"
        )
    return role
