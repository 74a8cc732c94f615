"""The evaluation's emails (SPEC §3.3: everyone affected is emailed).

* Each evaluated partner's administrators get the quarter's result once: every criterion
  with its figure, and what follows (at risk after a first failed quarter, eligible for an
  upgrade). ``TierEvaluation.notified_at`` makes a re-run, or a second job, send nothing
  again.
* A tier change is emailed: an evaluation's move with the quarter's results, a confirmed
  upgrade, an override or a restore by ``tier_change_email_send``.
* The channel team gets one summary of the partners that moved or are eligible for an
  upgrade, with the results it sends.
"""

from __future__ import annotations

import logging
from collections import defaultdict

from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from partners import roles
from partners.models import Membership
from pes.criteria import Criterion
from pes.models import TierChange, TierEvaluation
from pes.quarters import Quarter
from portal.mail import send_templated
from portal.vendor.selectors import current_vendor

logger = logging.getLogger(__name__)


def _administrators(organisation_ids) -> dict:
    found = defaultdict(set)
    rows = Membership.objects.filter(
        organisation_id__in=organisation_ids, user__is_active=True, role__in=roles.MANAGE_TEAM
    ).values_list("organisation_id", "user__email")
    for organisation_id, email in rows:
        found[organisation_id].add(email.lower())
    return found


def evaluation_notices_send(*, quarter: Quarter) -> int:
    """Email each partner evaluated for ``quarter`` and not yet told; returns how many
    evaluations were notified. Idempotent; runs in the job's system context."""
    pending = list(
        TierEvaluation.objects.select_for_update(skip_locked=True, of=("self",))
        .filter(year=quarter.year, quarter=quarter.number, notified_at__isnull=True)
        .select_related("organisation", "tier__partner_type", "transitioned_to", "upgrade_to")
    )
    if not pending:
        return 0
    recipients = _administrators([e.organisation_id for e in pending])
    url = settings.PORTAL_BASE_URL + reverse("space:dashboard")
    for evaluation in pending:
        context = {
            "evaluation": evaluation,
            "criteria": [Criterion.from_json(c) for c in evaluation.criteria],
            "at_risk": not evaluation.passed and evaluation.failed_quarters == 1,
            "url": url,
        }
        for email in sorted(recipients.get(evaluation.organisation_id, ())):
            send_templated(to=[email], template="pes/emails/evaluation", context=context)
    moved = [e.pk for e in pending if e.transitioned_to_id]
    for change in TierChange.objects.filter(
        evaluation_id__in=moved, kind=TierChange.Kind.EVALUATION
    ).select_related("organisation", "from_tier__partner_type", "to_tier__partner_type"):
        _tier_change_send(change, recipients.get(change.organisation_id, ()))
    TierEvaluation.objects.filter(pk__in=[e.pk for e in pending]).update(notified_at=timezone.now())
    _channel_team_summary(quarter=quarter, evaluations=pending)
    logger.info("evaluation %s: %s partners notified", quarter, len(pending))
    return len(pending)


def _channel_team_summary(*, quarter: Quarter, evaluations: list[TierEvaluation]) -> None:
    moved = [e for e in evaluations if e.transitioned_to_id]
    upgrades = [e for e in evaluations if e.upgrade_to_id and not e.transitioned_to_id]
    if not moved and not upgrades:
        return
    vendor = current_vendor()
    to = vendor.channel_team_email or settings.CHANNEL_TEAM_EMAIL
    send_templated(
        to=[to],
        template="pes/emails/evaluation_summary",
        context={
            "quarter": quarter,
            "moved": moved,
            "upgrades": upgrades,
            "evaluated": len(evaluations),
            "url": settings.PORTAL_BASE_URL + reverse("admin:pes_tierevaluation_changelist"),
        },
    )


def tier_change_email_send(*, change_id) -> int:
    change = (
        TierChange.objects.filter(pk=change_id)
        .select_related("organisation", "from_tier__partner_type", "to_tier__partner_type")
        .first()
    )
    if change is None:
        return 0
    return _tier_change_send(
        change, _administrators([change.organisation_id]).get(change.organisation_id, ())
    )


def _tier_change_send(change: TierChange, recipients) -> int:
    context = {"change": change, "url": settings.PORTAL_BASE_URL + reverse("space:dashboard")}
    for email in sorted(recipients):
        send_templated(to=[email], template="pes/emails/tier_changed", context=context)
    return len(recipients)
