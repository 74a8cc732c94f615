"""The quarterly tier evaluation (SPEC §3.3), for every partner at once.

1. Measure every partner in one statement (pes.measures) and judge each criterion of the
   tier it is evaluated against (pes.criteria): its current tier, or, when the quarter was
   evaluated before, the tier that first evaluation used — so a re-run after the quarter
   moved a partner measures the same tier again.
2. Write one record per partner and quarter with one INSERT ... ON CONFLICT: a re-run
   replaces the figures in place (only where they changed); a transition already applied
   stays applied.
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
import json
import uuid
from collections import defaultdict
from dataclasses import dataclass, field

from django.db import connection, transaction
from django.db.models import Count
from django.utils import timezone
from psycopg2.extras import execute_values
from simple_history.utils import bulk_update_with_history

from partners.models import Organisation, Tier
from pes.criteria import Criterion, all_passed, criteria_for, gross_exempt, meets
from pes.measures import Measures, Period, measure
from pes.models import TierChange, TierEvaluation
from pes.quarters import Quarter
from portal.audit.services import (
    AuditedChange,
    actor_label,
    audit_record_many,
    audit_record_select,
)
from portal.errors import DomainError
from portal.permissions import require_staff_permission

PERMISSION = "pes.run_evaluations"
NO_PERMISSION = "Running the tier evaluation needs the channel team's permission to run it."
# One lock for every evaluation run (hashtext of a fixed name).
_LOCK_SQL = "SELECT pg_advisory_xact_lock(hashtext('pes.evaluate_quarter'))"


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
        self.by_id: dict[int, Tier] = {}
        self.by_type: dict[int, list[Tier]] = defaultdict(list)
        for tier in Tier.objects.select_related("partner_type__programme").order_by("level"):
            self.by_id[tier.pk] = tier
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


def _rules(tier: Tier, joined_on, year: int) -> dict:
    programme = tier.partner_type.programme
    return {
        "tier": tier,
        "currency": programme.reporting_currency,
        "gross_exempt": gross_exempt(
            joined_on=joined_on, exemption_year=programme.gross_exemption_join_year, year=year
        ),
    }


def judge(*, tier: Tier, measures: Measures, joined_on, year: int) -> list[Criterion]:
    return criteria_for(measures=measures, **_rules(tier, joined_on, year))


def passes(*, tier: Tier, measures: Measures, joined_on, year: int) -> bool:
    """``judge``'s verdict alone (the upgrade and transition checks)."""
    return meets(measures=measures, **_rules(tier, joined_on, year))


def transition_target(
    *, tier: Tier, measures: Measures, joined_on, year: int, programmes: _Programmes
) -> Tier | None:
    """The best tier whose requirements the partner meets (SPEC §3.3); None: stay."""
    candidates, default = programmes.transition_candidates(tier)
    for candidate in candidates:
        if passes(tier=candidate, measures=measures, joined_on=joined_on, year=year):
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
    """Reads: the partners (ids and tiers), the quarter's earlier records, the year's
    failed quarters, the measures, the tiers. Writes: one upsert of every record, one
    insert of their audit records, and the moves in bulk. Plain rows, no model objects
    per partner: the evaluation stays within a small multiple of the measures' query."""
    now = timezone.now()
    only = {"organisation_id": organisation.pk} if organisation is not None else {}
    partners = list(
        Organisation.objects.filter(
            status=Organisation.Status.ACTIVE,
            tier__isnull=False,
            **({"pk": organisation.pk} if organisation is not None else {}),
        ).values_list("id", "tier_id", "joined_on")
    )
    this_quarter = TierEvaluation.objects.filter(year=quarter.year, quarter=quarter.number, **only)
    existing = {
        row[0]: row[1:]  # (record id, tier evaluated against, tier moved to)
        for row in this_quarter.values_list(
            "organisation_id", "id", "tier_id", "transitioned_to_id"
        )
    }
    failed_before = {
        (row["organisation_id"], row["tier_id"]): row["n"]
        for row in TierEvaluation.objects.filter(
            year=quarter.year, quarter__lt=quarter.number, passed=False, **only
        )
        .values("organisation_id", "tier_id")
        .annotate(n=Count("id"))
    }
    measured = measure(
        period=Period.of_quarter(quarter),
        organisation_ids=[organisation.pk] if organisation is not None else None,
    )
    programmes = _Programmes()
    label = actor_label(actor)
    run = EvaluationRun(quarter=quarter)
    rows: list[tuple] = []
    moves: list[_Move] = []
    for organisation_id, current_tier_id, joined_on in partners:
        record_id, tier_id, moved_to_id = existing.get(organisation_id, (None, None, None))
        tier = programmes.by_id[tier_id or current_tier_id]
        measures = measured.get(organisation_id, Measures())
        criteria = judge(tier=tier, measures=measures, joined_on=joined_on, year=quarter.year)
        passed = all_passed(criteria)
        failed = failed_before.get((organisation_id, tier.pk), 0) + (0 if passed else 1)
        record_id = record_id or uuid.uuid4()
        upgrade_id = None
        if not passed and failed >= 2 and moved_to_id is None and current_tier_id == tier.pk:
            target = transition_target(
                tier=tier,
                measures=measures,
                joined_on=joined_on,
                year=quarter.year,
                programmes=programmes,
            )
            if target is not None and target.pk != tier.pk:
                moved_to_id = target.pk
                moves.append(_Move(organisation_id, record_id, tier, target, criteria))
        if moved_to_id is None:
            upgrade = programmes.next_tier(tier)
            if upgrade is not None and passes(
                tier=upgrade, measures=measures, joined_on=joined_on, year=quarter.year
            ):
                upgrade_id = upgrade.pk
                run.upgrades_flagged += 1
        rows.append(
            (
                record_id,
                organisation_id,
                quarter.year,
                quarter.number,
                quarter.start,
                quarter.end,
                tier.pk,
                passed,
                json.dumps([c.as_json() for c in criteria]),
                json.dumps(measures.as_json()),
                failed,
                moved_to_id,
                upgrade_id,
                now,
                label,
            )
        )
        run.passed += passed
        run.failed += not passed
    _records_write(rows)
    audit_record_select(
        actor=actor,
        action="tier_evaluation.recorded",
        model=TierEvaluation,
        rows_sql=_AUDIT_ROWS_SQL,
        params=[quarter.label, quarter.year, quarter.number, now],
    )
    run.transitions = _moves_apply(moves=moves, quarter=quarter, actor=actor)
    run.evaluated = len(rows)
    return run


_UPSERT_SQL = """
INSERT INTO pes_tierevaluation (id, organisation_id, year, quarter, period_start, period_end,
    tier_id, passed, criteria, measures, failed_quarters, transitioned_to_id, upgrade_to_id,
    evaluated_at, evaluated_by)
VALUES %s
ON CONFLICT (organisation_id, year, quarter) DO UPDATE SET
    period_start = EXCLUDED.period_start, period_end = EXCLUDED.period_end,
    tier_id = EXCLUDED.tier_id, passed = EXCLUDED.passed, criteria = EXCLUDED.criteria,
    measures = EXCLUDED.measures, failed_quarters = EXCLUDED.failed_quarters,
    transitioned_to_id = EXCLUDED.transitioned_to_id, upgrade_to_id = EXCLUDED.upgrade_to_id,
    evaluated_at = EXCLUDED.evaluated_at, evaluated_by = EXCLUDED.evaluated_by
WHERE (pes_tierevaluation.tier_id, pes_tierevaluation.passed, pes_tierevaluation.criteria,
       pes_tierevaluation.measures, pes_tierevaluation.failed_quarters,
       pes_tierevaluation.transitioned_to_id, pes_tierevaluation.upgrade_to_id)
    IS DISTINCT FROM (EXCLUDED.tier_id, EXCLUDED.passed, EXCLUDED.criteria, EXCLUDED.measures,
       EXCLUDED.failed_quarters, EXCLUDED.transitioned_to_id, EXCLUDED.upgrade_to_id)
"""
_UPSERT_ROW = "(%s, %s, %s, %s, %s, %s, %s, %s, %s::jsonb, %s::jsonb, %s, %s, %s, %s, %s)"

# The audit record of each record just written (this run's ``evaluated_at``).
_AUDIT_ROWS_SQL = """
SELECT e.id::text,
       e.year || 'Q' || e.quarter || CASE WHEN e.passed THEN ': passed' ELSE ': failed' END,
       e.organisation_id,
       jsonb_build_object('passed', e.passed, 'failed_quarters', e.failed_quarters),
       %s || ' evaluated at Tier ' || t.level
           || CASE WHEN t.name <> '' THEN ' · ' || t.name ELSE '' END
           || CASE WHEN e.passed THEN ': passed' ELSE ': failed' END
FROM pes_tierevaluation e JOIN partners_tier t ON t.id = e.tier_id
WHERE e.year = %s AND e.quarter = %s AND e.evaluated_at = %s
"""


def _records_write(rows: list[tuple]) -> None:
    """One INSERT ... ON CONFLICT for every record (pages of 1,000 rows): a re-run
    replaces the figures of the same row, keeping its id and its ``notified_at``. A record
    whose result is unchanged is left as it is (who evaluated it and when, and no new audit
    record: ``_AUDIT_ROWS_SQL`` reads this run's ``evaluated_at``), so a re-run costs
    little and the audit trail holds what changed."""
    with connection.cursor() as cursor:
        execute_values(cursor.cursor, _UPSERT_SQL, rows, template=_UPSERT_ROW, page_size=1000)


@dataclass(frozen=True)
class _Move:
    organisation_id: uuid.UUID
    evaluation_id: uuid.UUID
    tier: Tier
    target: Tier
    criteria: list[Criterion]

    def reason(self, quarter: Quarter) -> str:
        failing = ", ".join(c.label for c in self.criteria if not c.passed)
        return (
            f"Second failed quarter of {quarter.year} at {self.tier.label} "
            f"({quarter.label}: {failing})"
        )


def _moves_apply(*, moves: list[_Move], quarter: Quarter, actor) -> list[TierChange]:
    """Move every partner at once: lock them, skip any whose tier someone changed since
    it was read, update types and tiers (with their history), record the changes and
    audit them. The partners are emailed with their result (pes.services.notices)."""
    if not moves:
        return []
    locked = {
        o.pk: o
        for o in Organisation.objects.select_for_update().filter(
            pk__in=[m.organisation_id for m in moves]
        )
    }
    moves = [m for m in moves if locked[m.organisation_id].tier_id == m.tier.pk]
    partners = []
    for move in moves:
        partner = locked[move.organisation_id]
        partner.tier_id = move.target.pk
        partner.partner_type_id = move.target.partner_type_id
        partners.append(partner)
    bulk_update_with_history(
        partners,
        Organisation,
        ["tier", "partner_type"],
        batch_size=1000,
        default_user=actor if getattr(actor, "is_authenticated", False) else None,
        default_change_reason="Quarterly tier evaluation",
    )
    person = actor if getattr(actor, "is_authenticated", False) else None
    label = actor_label(actor)
    changes = TierChange.objects.bulk_create(
        [
            TierChange(
                organisation_id=m.organisation_id,
                kind=TierChange.Kind.EVALUATION,
                from_tier=m.tier,
                to_tier=m.target,
                reason=m.reason(quarter),
                evaluation_id=m.evaluation_id,
                changed_by=person,
                changed_by_label=label,
            )
            for m in moves
        ],
        batch_size=1000,
    )
    audit_record_many(
        actor=actor,
        action="tier.evaluation",
        changes=[
            AuditedChange(
                obj=locked[m.organisation_id],
                organisation=m.organisation_id,
                before={"partner_type": m.tier.partner_type_id, "tier": m.tier.pk},
                after={"partner_type": m.target.partner_type_id, "tier": m.target.pk},
                summary=f"Second failed quarter of the year: {m.tier} → {m.target}. "
                + m.reason(quarter),
            )
            for m in moves
        ],
    )
    return changes
