"""The channel team's edits of a partner organisation (in the admin): its details,
distributor, validated level-1 support and status. Its type and tier are not edited here:
they change only with a reason and a ``TierChange`` (pes.services.tiers), so that the
partner, its status page and the audit trail say why. The admin's form calls
``organisation_validate`` to show errors beside the fields; ``organisation_update``
validates again under the row lock and writes. Approval creates organisations
(partners.services.applications) and the click-signature activates them
(partners.services.agreements).

Status rules (an organisation's status follows its agreement):

* pending: its agreement is not signed yet; once signed, it is never pending again;
* active: only with a signed agreement (the current one, that is the latest);
* suspended: at any time, by the channel team; it becomes active again only as above.
"""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils import timezone

from partners.models import Agreement, Organisation
from portal.audit.services import audit_record, audit_values
from portal.errors import DomainError
from portal.permissions import require_staff_permission

#: What the channel team may change; anything else is set by the flows above (and the type
#: and tier by pes.services.tiers).
EDITABLE_FIELDS = (
    "name",
    "country",
    "website",
    "status",
    "distributor",
    "level1_support_validated_on",
)

Status = Organisation.Status


def organisation_validate(*, organisation: Organisation, changes: dict[str, Any]) -> None:
    """Raise ``DomainError`` (with the field) for the first change that breaks a rule."""
    unknown = set(changes) - set(EDITABLE_FIELDS)
    if unknown:
        raise DomainError(
            f"These fields are not changed here: {', '.join(sorted(unknown))}.",
            code="not_editable",
        )
    if "name" in changes and not (changes["name"] or "").strip():
        raise DomainError("Enter the organisation's legal name.", field="name", code="required")

    distributor = changes.get("distributor", organisation.distributor)
    if distributor is not None and distributor.pk == organisation.pk:
        raise DomainError(
            "An organisation cannot be its own distributor.",
            field="distributor",
            code="own_distributor",
        )

    status = changes.get("status", organisation.status)
    if status != organisation.status:
        _check_status(organisation=organisation, status=status)


def _check_status(*, organisation: Organisation, status: str) -> None:
    if status not in Status.values:
        raise DomainError(
            f"Choose one of: {', '.join(Status.values)}.", field="status", code="invalid_choice"
        )
    signed = _signed_agreement(organisation)
    if status == Status.ACTIVE and signed is None:
        raise DomainError(
            "An organisation becomes active when its administrator signs the partner "
            "agreement; this one has no signed agreement.",
            field="status",
            code="agreement_not_signed",
        )
    if status == Status.PENDING and signed is not None:
        raise DomainError(
            "This organisation has signed its agreement: it can be active or suspended, no "
            "longer pending.",
            field="status",
            code="agreement_signed",
        )


def _signed_agreement(organisation: Organisation) -> Agreement | None:
    agreement = (
        Agreement.objects.for_tenant(organisation).order_by("-created_at").only("accepted_at")
    ).first()
    return agreement if agreement is not None and agreement.is_accepted else None


def organisation_update(
    *, organisation: Organisation, changes: dict[str, Any], actor
) -> Organisation:
    """Apply ``changes`` (field name -> value, foreign keys as objects) and return the
    organisation. Nothing is written unless every change is allowed."""
    require_staff_permission(actor, "partners.change_organisation")
    with transaction.atomic():
        # The same lock as the click-signature takes: a signature and a status change
        # made at the same moment are judged one after the other.
        locked = Organisation.objects.select_for_update().get(pk=organisation.pk)
        organisation_validate(organisation=locked, changes=changes)
        changed = [name for name, value in changes.items() if getattr(locked, name) != value]
        before = audit_values(locked, changed)
        previous_status = locked.get_status_display()
        for name in changed:
            setattr(locked, name, changes[name])
        if "status" in changed and locked.status == Status.ACTIVE and locked.joined_on is None:
            # Signed while suspended (the signature only activates a pending organisation).
            locked.joined_on = timezone.localdate(_signed_agreement(locked).accepted_at)
            changed.append("joined_on")
        if changed:
            locked._history_user = actor
            locked.save(update_fields=changed)
            audit_record(
                actor=actor,
                action="organisation.changed",
                obj=locked,
                organisation=locked,
                before=before,
                after=audit_values(locked, changed),
                summary=_change_summary(locked, changed, previous_status=previous_status),
            )
    return locked


def _change_summary(organisation: Organisation, changed: list[str], *, previous_status) -> str:
    parts = []
    for name in changed:
        if name == "status":
            parts.append(
                f"status changed from {previous_status} to {organisation.get_status_display()}"
            )
        elif name != "joined_on":
            label = Organisation._meta.get_field(name).verbose_name
            parts.append(f"{label} changed to {getattr(organisation, name) or 'none'}")
    return f"{organisation.name}: " + "; ".join(parts)
