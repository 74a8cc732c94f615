"""Changing a partner's type and tier (SPEC §3.3): the evaluation's transition, a
confirmed upgrade, the channel team's override and its restore after an audit. Every
change writes a ``TierChange`` (append-only) and an audit record with the reason, and the
partner's administrators are emailed.

A change moves the organisation's type and tier only. Licences and subscriptions are
never touched; prices read the tier when they are computed, so new orders, upgrades and
renewals get the new tier's discount.
"""

from __future__ import annotations

from django.db import transaction

from partners.models import Organisation, Tier
from pes.models import TierChange, TierEvaluation
from pes.selectors.status import next_tier_of
from portal.audit.services import actor_label, audit_record
from portal.errors import Conflict, DomainError
from portal.permissions import require_staff_permission

PERMISSION = "pes.change_tiers"
NO_PERMISSION = "Changing a partner's tier needs the channel team's permission to change tiers."
REASON_MAX = 1000


def _reason_clean(reason: str) -> str:
    reason = (reason or "").strip()
    if not reason:
        raise DomainError(
            "Give the reason: the partner and the audit trail see it.",
            field="reason",
            code="required",
        )
    if len(reason) > REASON_MAX:
        raise DomainError(
            f"Keep the reason within {REASON_MAX} characters.", field="reason", code="too_long"
        )
    return reason


def tier_change_write(
    *,
    organisation: Organisation,
    to_tier: Tier,
    kind: str,
    reason: str,
    actor=None,
    evaluation: TierEvaluation | None = None,
) -> TierChange:
    """Move the organisation to ``to_tier`` (and its type), in the caller's transaction."""
    with transaction.atomic():
        partner = (
            Organisation.objects.select_for_update(of=("self",))
            .select_related("tier")
            .get(pk=organisation.pk)
        )
        from_tier = partner.tier
        before = {"partner_type": partner.partner_type_id, "tier": partner.tier_id}
        partner.tier = to_tier
        partner.partner_type_id = to_tier.partner_type_id
        partner.save(update_fields=["tier", "partner_type"])
        person = actor if getattr(actor, "is_authenticated", False) else None
        change = TierChange.objects.create(
            organisation=partner,
            kind=kind,
            from_tier=from_tier,
            to_tier=to_tier,
            reason=reason,
            evaluation=evaluation,
            changed_by=person,
            changed_by_label=actor_label(actor),
        )
        audit_record(
            actor=actor,
            action=f"tier.{kind}",
            obj=partner,
            organisation=partner,
            before=before,
            after={"partner_type": to_tier.partner_type_id, "tier": to_tier.pk},
            summary=f"{change.get_kind_display()}: {from_tier} → {to_tier}. {reason}",
        )
        from pes.tasks import send_tier_change_email  # tasks import the services

        send_tier_change_email.delay_on_commit(
            organisation_id=str(partner.pk), change_id=str(change.pk)
        )
    return change


def upgrade_confirm(*, actor, organisation: Organisation, reason: str = "") -> TierChange:
    """Staff confirm the upgrade an evaluation flagged: the partner met every requirement
    of its next tier; for tiers asking for it, someone attended the sales training."""
    require_staff_permission(actor, PERMISSION, NO_PERMISSION)
    latest = (
        TierEvaluation.objects.filter(organisation=organisation)
        .select_related("upgrade_to__partner_type")
        .order_by("-year", "-quarter")
        .first()
    )
    target = next_tier_of(organisation.tier)
    if latest is None or target is None or latest.upgrade_to_id != target.pk:
        raise Conflict("The latest evaluation did not flag this partner for an upgrade.")
    if target.requires_sales_training_for_upgrade and not latest.measures.get("certified_sales"):
        raise Conflict(
            f"{target.label} asks for the sales training: nobody of the partner attended it."
        )
    return tier_change_write(
        organisation=organisation,
        to_tier=target,
        kind=TierChange.Kind.UPGRADE,
        reason=(reason or "").strip()
        or f"Met every requirement of {target.label} in {latest.label}.",
        actor=actor,
    )


def tier_override(*, actor, organisation: Organisation, tier: Tier, reason: str) -> TierChange:
    """Staff set any type and tier of the partner's programme, with a reason."""
    require_staff_permission(actor, PERMISSION, NO_PERMISSION)
    reason = _reason_clean(reason)
    if tier.partner_type.programme_id != organisation.partner_type.programme_id:
        raise DomainError(
            "Choose a tier of the partner's own programme.", field="tier", code="other_programme"
        )
    if tier.pk == organisation.tier_id:
        raise DomainError("The partner already has this tier.", field="tier", code="unchanged")
    return tier_change_write(
        organisation=organisation,
        to_tier=tier,
        kind=TierChange.Kind.OVERRIDE,
        reason=reason,
        actor=actor,
    )


def tier_restore(*, actor, organisation: Organisation, reason: str) -> TierChange:
    """After an audit, put the partner back where the last evaluation moved it from."""
    require_staff_permission(actor, PERMISSION, NO_PERMISSION)
    reason = _reason_clean(reason)
    last_move = (
        TierChange.objects.filter(organisation=organisation, kind=TierChange.Kind.EVALUATION)
        .select_related("from_tier")
        .order_by("-created_at")
        .first()
    )
    if last_move is None or last_move.from_tier is None:
        raise Conflict("No evaluation moved this partner: there is nothing to restore.")
    if organisation.tier_id == last_move.from_tier_id:
        raise Conflict("The partner already has the tier it had before the evaluation.")
    return tier_change_write(
        organisation=organisation,
        to_tier=last_move.from_tier,
        kind=TierChange.Kind.RESTORE,
        reason=reason,
        actor=actor,
    )
