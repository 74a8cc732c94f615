"""Activation (SPEC §3.7): an appliance activates a licence key on a machine and gets a
signed licence file; the appliance (with the key) or the owning partner frees the machine.

The appliance has no account: the licence key is its credential. It may belong to any
partner's licence, so ``activation_activate`` and ``activation_deactivate`` find the
licence in the named system context ``public:activation`` themselves (callers need no
context of their own) and never say more about a key that does not match than that it is
not valid.

Machine limit: a licence runs on at most ``licence.machine_limit`` machines at a time.
Every activation first row-locks the licence, so two machines activating the last free
place at once are served one after the other and the second is refused. The same machine
(fingerprint) activating again gets a fresh file for its existing activation.
"""

from __future__ import annotations

import datetime
import uuid
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from licensing.keys import key_digest, new_licence_key, normalise_key
from licensing.models import Activation, Licence, LicenceEvent
from licensing.selectors.activation import live_activation_count
from licensing.services.licences import (
    licence_audited_values,
    licence_event_record,
    lock_licence,
)
from licensing.services.signing import signing_key_current
from licensing.signing import sign
from partners import roles
from partners.models import Membership
from portal.errors import Conflict, DomainError, Forbidden, NotFound
from portal.permissions import require_staff_permission
from portal.tenancy.context import system_context

CONTEXT = "public:activation"
_KEY_LENGTH = len(new_licence_key())
INVALID_KEY = "This licence key is not valid. Check it against the one you received."


@dataclass(frozen=True)
class IssuedFile:
    activation: Activation
    licence_file: dict
    #: False when the machine was already activated and got its file again.
    created: bool


def activation_activate(*, key: str, fingerprint: str, hostname: str = "") -> IssuedFile:
    """Activate the licence ``key`` opens on the machine ``fingerprint`` and return its
    signed licence file. Only an active licence within its term activates."""
    with system_context(CONTEXT):
        licence = _licence_for_key(key, lock=True)
        if licence is None:
            raise DomainError(INVALID_KEY, field="key", code="invalid_key")
        _ensure_activatable(licence, today=timezone.localdate())
        signing_key = signing_key_current()
        now = timezone.now()
        activation = Activation.objects.filter(
            licence=licence, fingerprint=fingerprint, deactivated_at__isnull=True
        ).first()
        created = activation is None
        if created:
            live = live_activation_count(licence)
            if live >= licence.machine_limit:
                raise Conflict(
                    f"This licence is already activated on {live} machine"
                    f"{'s' if live != 1 else ''}, its limit. Deactivate one of them first.",
                    code="machine_limit",
                )
            activation = Activation.objects.create(
                licence=licence,
                fingerprint=fingerprint,
                hostname=hostname,
                last_issued_at=now,
                signing_key=signing_key,
            )
            licence_event_record(
                licence=licence,
                kind=LicenceEvent.Kind.ACTIVATED,
                actor=None,
                summary=f"Activated on {_machine_label(activation)} "
                f"({live + 1} of {licence.machine_limit} machines)",
                before=licence_audited_values(licence),
                detail=_event_detail(activation),
            )
        else:
            activation.hostname = hostname or activation.hostname
            activation.last_issued_at = now
            activation.signing_key = signing_key
            activation.save(update_fields=["hostname", "last_issued_at", "signing_key"])
        payload = licence_file_payload(
            licence=licence, activation=activation, kid=signing_key.kid, issued_at=now
        )
        licence_file = sign(
            payload, kid=signing_key.kid, private_key_encrypted=signing_key.private_key_encrypted
        )
    return IssuedFile(activation=activation, licence_file=licence_file, created=created)


def activation_deactivate(*, activation_id: uuid.UUID | str, key: str) -> Activation:
    """Free the machine of activation ``activation_id``, asked by the appliance holding the
    licence key. A wrong key and an unknown activation are the same 404. Deactivating an
    activation again changes nothing (a retried request succeeds)."""
    with system_context(CONTEXT):
        licence = _licence_for_key(key, lock=True, activation_id=activation_id)
        if licence is None:
            raise NotFound("No activation with this id for this licence key.")
        activation = Activation.objects.get(pk=activation_id, licence=licence)
        activation.licence = licence
        if activation.deactivated_at is None:
            _deactivate(activation, by=Activation.DeactivatedBy.APPLIANCE, actor=None)
    return activation


@transaction.atomic
def activation_release(*, actor, activation: Activation) -> Activation:
    """The owning partner (a role that manages licences) frees a machine, say one that
    died before it could deactivate itself. Runs in the caller's own context."""
    licence = lock_licence(activation.licence_id)
    _ensure_may_manage_licence(actor=actor, licence=licence)
    activation = Activation.objects.select_related("signing_key").get(
        pk=activation.pk, licence=licence
    )
    activation.licence = licence
    if activation.deactivated_at is not None:
        raise Conflict("This machine has already been released.", code="already_released")
    _deactivate(activation, by=Activation.DeactivatedBy.PARTNER, actor=actor)
    return activation


def licence_file_payload(
    *, licence: Licence, activation: Activation, kid: str, issued_at: datetime.datetime
) -> dict:
    """What a licence file says (and its signature covers). JSON values only, no floats."""
    return {
        "licence_id": str(licence.pk),
        "activation_id": str(activation.pk),
        "kind": licence.kind,
        "licensee": {
            "name": licence.customer_name,
            "email": licence.customer_email,
            "country": licence.customer_country,
        },
        "installation": licence.installation_name,
        "product": {"code": licence.product_code, "name": licence.product_name},
        "billing_period": licence.billing_period,
        "quantity": licence.quantity,
        "unit": licence.unit,
        "term": {
            "starts_on": licence.starts_on.isoformat(),
            "ends_on": licence.ends_on.isoformat(),
        },
        "entitlements": licence.entitlements,
        "machine_limit": licence.machine_limit,
        "fingerprint": activation.fingerprint,
        "hostname": activation.hostname,
        "issued_at": issued_at.astimezone(datetime.UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "kid": kid,
    }


def _licence_for_key(
    key: str, *, lock: bool, activation_id: uuid.UUID | str | None = None
) -> Licence | None:
    """The licence the key opens (row-locked), or None for any key that opens nothing."""
    normalised = normalise_key(key or "")
    if len(normalised) != _KEY_LENGTH:
        return None
    queryset = Licence.objects.filter(key_digest=key_digest(normalised))
    if activation_id is not None:
        queryset = queryset.filter(activations__pk=activation_id)
    if lock:
        queryset = queryset.select_for_update(of=("self",))
    return queryset.first()


def _ensure_activatable(licence: Licence, *, today: datetime.date) -> None:
    """An active licence within its term (``ends_on`` is its last day)."""
    if licence.status == Licence.Status.CANCELLED:
        raise Conflict("This licence has been cancelled.", code="licence_cancelled")
    if licence.status == Licence.Status.EXPIRED or licence.ends_on < today:
        raise Conflict(
            f"This licence expired on {licence.ends_on:%d %b %Y}.", code="licence_expired"
        )
    if licence.status != Licence.Status.ACTIVE:
        raise Conflict(
            "This licence has not been redeemed yet: the customer redeems it first.",
            code="licence_not_redeemed",
        )
    if licence.starts_on > today:
        raise Conflict(
            f"This licence's term starts on {licence.starts_on:%d %b %Y}.",
            code="licence_not_started",
        )


def _deactivate(activation: Activation, *, by: str, actor) -> None:
    licence = activation.licence
    activation.deactivated_at = timezone.now()
    activation.deactivated_by = by
    activation.released_by = actor if getattr(actor, "is_authenticated", False) else None
    activation.save(update_fields=["deactivated_at", "deactivated_by", "released_by"])
    who = "released by the partner" if by == Activation.DeactivatedBy.PARTNER else "deactivated"
    licence_event_record(
        licence=licence,
        kind=LicenceEvent.Kind.DEACTIVATED,
        actor=actor,
        summary=f"{_machine_label(activation)} {who} "
        f"({live_activation_count(licence)} of {licence.machine_limit} machines in use)",
        before=licence_audited_values(licence),
        detail={**_event_detail(activation), "by": by},
    )


def _ensure_may_manage_licence(*, actor, licence: Licence) -> None:
    """Defence in depth: the API checks the role too, but a service never trusts it. The
    licence's owner only (its distributor reads it, never changes it); the channel team
    needs the permission to manage licences."""
    if actor is None or not getattr(actor, "is_authenticated", False):
        raise Forbidden("Someone must be named as doing this.")
    if actor.is_staff:
        require_staff_permission(actor, "licensing.manage_licences")
        return
    if not Membership.objects.filter(
        user=actor, organisation_id=licence.organisation_id, role__in=roles.MANAGE_LICENCES
    ).exists():
        raise Forbidden("Your role cannot manage this licence's machines.")


def _machine_label(activation: Activation) -> str:
    return activation.hostname or f"machine {activation.fingerprint[:16]}"


def _event_detail(activation: Activation) -> dict:
    return {
        "activation": str(activation.pk),
        "fingerprint": activation.fingerprint,
        "hostname": activation.hostname,
    }
