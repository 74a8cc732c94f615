"""The quarterly tier evaluation (SPEC §3.3), for every partner at once.

1. Measure every partner in one statement (pes.measures) and judge each criterion of the
   tier it is evaluated against (pes.criteria): its current tier, or, when the quarter was
   evaluated before, the tier that first evaluation used — so a re-run after the quarter
   moved a partner measures the same tier again.
2. Write one record per partner and quarter with one INSERT ... ON CONFLICT: a re-run
   replaces the figures in place; a transition already applied stays applied.
3. At the evaluation in which a partner fails its second quarter of the calendar year at
   its tier, move it to the best tier whose requirements it meets: a lower tier of its own
   type, else the programme's transition type (Vates: Reseller), else that type's first
   tier. Only its type and tier change: licences and subscriptions are untouched, and new
   orders, upgrades and renewals are priced with the new tier's discount.
4. Flag partners meeting every requirement of their next tier; staff confirm upgrades
   (pes.services.tiers).

Runs are serialised by a transaction-level advisory lock: two schedulers starting at once
run one after the other, and the second replaces the first's figures with the same ones.
Partners are emailed their result once per quarter, by a task after the commit.
"""

from __future__ import annotations

import datetime
import uuid
from collections import defaultdict
from dataclasses import dataclass, field

from django.db import connection, transaction
from django.db.models import Count
from django.utils import timezone

from partners.models import Organisation, Tier
from pes.criteria import Criterion, all_passed, criteria_for, gross_exempt
from pes.measures import Measures, Period, measure
from pes.models import TierChange, TierEvaluation
from pes.quarters import Quarter
from portal.audit.services import AuditedChange, actor_label, audit_record_many
from portal.errors import DomainError
from portal.permissions import require_staff_permission

PERMISSION = "pes.run_evaluations"
NO_PERMISSION = "Running the tier evaluation needs the channel team's permission to run it."
# One lock for every evaluation run (hashtext of a fixed name).
_LOCK_SQL = "SELECT pg_advisory_xact_lock(hashtext('pes.evaluate_quarter'))"
_UPDATED_FIELDS = [
    "period_start",
    "period_end",
    "tier",
    "passed",
    "criteria",
    "measures",
    "failed_quarters",
    "transitioned_to",
    "upgrade_to",
    "evaluated_at",
    "evaluated_by",
]


@dataclass
class EvaluationRun:
    quarter: Quarter
    evaluated: int = 0
    passed: int = 0
    failed: int = 0
    transitions: list[TierChange] = field(default_factory=list)
    upgrades_flagged: int = 0

    def summary(self) -> str:
        return (
            f"{self.quarter.label}: {self.evaluated} partners evaluated, {self.passed} passed, "
            f"{self.failed} failed, {len(self.transitions)} moved, "
            f"{self.upgrades_flagged} eligible for an upgrade"
        )


class _Programmes:
    """Every tier of every programme, read once (a few dozen rows)."""

    def __init__(self):
        self.by_type: dict[int, list[Tier]] = defaultdict(list)
        for tier in Tier.objects.select_related("partner_type__programme").order_by("level"):
            self.by_type[tier.partner_type_id].append(tier)

    def next_tier(self, tier: Tier) -> Tier | None:
        return next((t for t in self.by_type[tier.partner_type_id] if t.level > tier.level), None)

    def transition_candidates(self, tier: Tier) -> tuple[list[Tier], Tier | None]:
        """The tiers to try, best first, and the default when none fits."""
        own_lower = [t for t in self.by_type[tier.partner_type_id] if t.level < tier.level]
        fallback_type = tier.partner_type.programme.transition_type_id
        fallback = (
            self.by_type.get(fallback_type, [])
            if fallback_type and fallback_type != tier.partner_type_id
            else []
        )
        candidates = sorted(own_lower, key=lambda t: -t.level) + sorted(
            fallback, key=lambda t: -t.level
        )
        default = fallback[0] if fallback else (own_lower[0] if own_lower else None)
        return candidates, default


def judge(*, tier: Tier, measures: Measures, joined_on, year: int) -> list[Criterion]:
    programme = tier.partner_type.programme
    return criteria_for(
        tier=tier,
        measures=measures,
        currency=programme.reporting_currency,
        gross_exempt=gross_exempt(
            joined_on=joined_on, exemption_year=programme.gross_exemption_join_year, year=year
        ),
    )


def transition_target(
    *, tier: Tier, measures: Measures, joined_on, year: int, programmes: _Programmes
) -> Tier | None:
    """The best tier whose requirements the partner meets (SPEC §3.3); None: stay."""
    candidates, default = programmes.transition_candidates(tier)
    for candidate in candidates:
        if all_passed(judge(tier=candidate, measures=measures, joined_on=joined_on, year=year)):
            return candidate
    return default


def evaluate_quarter(
    *,
    quarter: Quarter,
    organisation: Organisation | None = None,
    actor=None,
    notify: bool = True,
    today: datetime.date | None = None,
) -> EvaluationRun:
    """Evaluate ``quarter`` for every active partner with a tier (or the one named).
    Staff need ``pes.run_evaluations``; the scheduled job and the command run as
    themselves (no actor). ``today`` (default: today) decides whether the quarter ended."""
    if actor is not None:
        require_staff_permission(actor, PERMISSION, NO_PERMISSION)
    if quarter.end >= (today or timezone.localdate()):
        # A quarter in progress is shown as "so far" (pes.selectors.status), never recorded:
        # a record would count as a failed quarter before the quarter is over.
        raise DomainError(
            f"{quarter.label} has not ended yet: it can be evaluated from "
            f"{quarter.next().start:%-d %B %Y}.",
            field="quarter",
            code="not_ended",
        )
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute(_LOCK_SQL)
        run = _evaluate(quarter=quarter, organisation=organisation, actor=actor)
        if notify:
            from pes.tasks import send_evaluation_notices  # tasks import the services

            send_evaluation_notices.delay_on_commit(year=quarter.year, quarter=quarter.number)
    return run


def _evaluate(*, quarter: Quarter, organisation, actor) -> EvaluationRun:
    now = timezone.now()
    partners = Organisation.objects.filter(
        status=Organisation.Status.ACTIVE, tier__isnull=False
    ).select_related("tier__partner_type__programme")
    if organisation is not None:
        partners = partners.filter(pk=organisation.pk)
    partners = list(partners)
    ids = [p.pk for p in partners]
    existing = {
        e.organisation_id: e
        for e in TierEvaluation.objects.filter(
            organisation_id__in=ids, year=quarter.year, quarter=quarter.number
        ).select_related("tier__partner_type__programme")
    }
    failed_before = {
        (row["organisation_id"], row["tier_id"]): row["n"]
        for row in TierEvaluation.objects.filter(
            organisation_id__in=ids,
            year=quarter.year,
            quarter__lt=quarter.number,
            passed=False,
        )
        .values("organisation_id", "tier_id")
        .annotate(n=Count("id"))
    }
    measured = measure(
        period=Period.of_quarter(quarter), organisation_ids=ids if organisation else None
    )
    programmes = _Programmes()
    label = actor_label(actor)
    run = EvaluationRun(quarter=quarter)
    records: list[TierEvaluation] = []
    moves: list[tuple[Organisation, TierEvaluation, Tier]] = []
    for partner in partners:
        previous = existing.get(partner.pk)
        tier = previous.tier if previous is not None else partner.tier
        measures = measured.get(partner.pk, Measures())
        criteria = judge(
            tier=tier, measures=measures, joined_on=partner.joined_on, year=quarter.year
        )
        passed = all_passed(criteria)
        failed = failed_before.get((partner.pk, tier.pk), 0) + (0 if passed else 1)
        record = TierEvaluation(
            id=previous.pk if previous is not None else uuid.uuid4(),
            organisation_id=partner.pk,
            year=quarter.year,
            quarter=quarter.number,
            period_start=quarter.start,
            period_end=quarter.end,
            tier=tier,
            passed=passed,
            criteria=[c.as_json() for c in criteria],
            measures=measures.as_json(),
            failed_quarters=failed,
            transitioned_to=previous.transitioned_to if previous is not None else None,
            evaluated_at=now,
            evaluated_by=label,
        )
        already_moved = previous is not None and previous.transitioned_to_id is not None
        if not passed and failed >= 2 and not already_moved and partner.tier_id == tier.pk:
            target = transition_target(
                tier=tier,
                measures=measures,
                joined_on=partner.joined_on,
                year=quarter.year,
                programmes=programmes,
            )
            if target is not None and target.pk != tier.pk:
                record.transitioned_to = target
                moves.append((partner, record, target))
        if record.transitioned_to_id is None:
            upgrade = programmes.next_tier(tier)
            if upgrade is not None and all_passed(
                judge(
                    tier=upgrade, measures=measures, joined_on=partner.joined_on, year=quarter.year
                )
            ):
                record.upgrade_to = upgrade
                run.upgrades_flagged += 1
        records.append(record)
        run.passed += passed
        run.failed += not passed
    TierEvaluation.objects.bulk_create(
        records,
        batch_size=2000,
        update_conflicts=True,
        unique_fields=["organisation", "year", "quarter"],
        update_fields=_UPDATED_FIELDS,
    )
    audit_record_many(
        actor=actor,
        action="tier_evaluation.recorded",
        changes=[
            AuditedChange(
                obj=record,
                organisation=record.organisation_id,
                after={"passed": record.passed, "failed_quarters": record.failed_quarters},
                summary=f"{quarter.label} evaluated at {record.tier.label}: "
                f"{'passed' if record.passed else 'failed'}",
            )
            for record in records
        ],
    )
    for partner, record, target in moves:
        run.transitions.append(_move(partner=partner, record=record, target=target, actor=actor))
    run.evaluated = len(records)
    return run


def _move(*, partner: Organisation, record: TierEvaluation, target: Tier, actor) -> TierChange:
    from pes.services.tiers import tier_change_write

    failing = ", ".join(c["label"] for c in record.criteria if not c["passed"])
    return tier_change_write(
        organisation=partner,
        to_tier=target,
        kind=TierChange.Kind.EVALUATION,
        reason=(
            f"Second failed quarter of {record.year} at {record.tier.label} "
            f"({record.label}: {failing})"
        ),
        evaluation=record,
        actor=actor,
    )
