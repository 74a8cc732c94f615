"""The channel team's decision on a claim or a redemption: the same four fields on both
(status, rejection reason, who, when), written one way."""

from __future__ import annotations

from django.utils import timezone


def decision_write(obj, *, approve: bool, reason: str, actor, approved, rejected) -> str:
    """Record the decision on ``obj`` (locked by the caller) and return its event name."""
    obj.status = approved if approve else rejected
    obj.rejection_reason = "" if approve else reason
    obj.decided_by = actor
    obj.decided_at = timezone.now()
    obj.save(update_fields=["status", "rejection_reason", "decided_by", "decided_at"])
    return "approved" if approve else "rejected"
