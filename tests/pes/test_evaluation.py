"""The quarterly evaluation (SPEC §3.2, §3.3) with the Vates programme as seeded: its
tables are the oracle."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.core import mail
from django.core.management import CommandError, call_command

from partners.models import Organisation, Tier
from pes.criteria import criteria_for, gross_exempt
from pes.measures import Measures
from pes.models import TierChange, TierEvaluation
from pes.quarters import Quarter
from pes.services.evaluation import evaluate_quarter
from portal.errors import DomainError
from portal.models import AuditEvent
from tests.billing.licence_sale_support import DE_VAT
from tests.pes.support import TODAY, placed_days_ago, points, sale
from tests.tenancy_support import observer

pytestmark = pytest.mark.django_db
LAST_YEAR_Q2 = Quarter(TODAY.year - 1, 2)
LAST_YEAR_Q3 = Quarter(TODAY.year - 1, 3)
THIS_QUARTER = Quarter.containing(TODAY)
AFTER_THIS_QUARTER = THIS_QUARTER.end + datetime.timedelta(days=1)

# Everything a tier-2 distributor needs (SPEC §3.2), co-led share aside.
TIER_2_MET = Measures(
    gross_invoiced=Decimal("150000"),
    sales=10,
    partner_owned=5,
    co_led=3,
    late_involvement=2,
    pes=120,
    sessions=1,
    certified_sales=1,
    certified_technical=1,
    level1_support=True,
)


def tier(type_code: str, level: int) -> Tier:
    return Tier.objects.get(
        partner_type__programme__code="vates", partner_type__code=type_code, level=level
    )


def run(quarter: Quarter, organisation=None, today=None, **kwargs):
    with observer():
        return evaluate_quarter(
            quarter=quarter,
            organisation=organisation,
            today=today or AFTER_THIS_QUARTER,
            **kwargs,
        )


def record(organisation, quarter: Quarter) -> TierEvaluation:
    with observer():
        return TierEvaluation.objects.select_related("tier", "transitioned_to").get(
            organisation=organisation, year=quarter.year, quarter=quarter.number
        )


def current_tier(organisation) -> Tier:
    with observer():
        return (
            Organisation.objects.select_related("tier__partner_type").get(pk=organisation.pk).tier
        )


# --- the criteria, against the seed's table --------------------------------------------------


def test_the_distributor_tiers_are_the_seeds_table(vates):
    rows = {
        t.level: (
            t.min_gross_invoiced,
            t.min_pes,
            t.min_partner_owned_share,
            t.max_co_led_share,
            t.max_late_involvement_share,
            t.min_certified_sales,
            t.min_webinars,
        )
        for t in Tier.objects.filter(
            partner_type__programme=vates, partner_type__code="distributor"
        )
    }
    D = Decimal
    assert rows == {
        1: (D("0"), 50, D("20"), D("40"), D("40"), None, None),
        2: (D("100000"), 100, D("40"), D("30"), D("30"), 1, 1),
        3: (D("300000"), 200, D("60"), D("20"), D("20"), 2, 2),
        4: (D("600000"), 300, D("80"), D("10"), D("10"), 3, 3),
    }


def test_a_tier_2_distributor_failing_only_the_co_led_share_fails_the_quarter(vates):
    criteria = criteria_for(tier=tier("distributor", 2), measures=TIER_2_MET, currency="USD")
    assert all(c.passed for c in criteria)  # 3 of 10 sales co-led is 30 %: at most 30 % ...
    assert next(c for c in criteria if c.name == "co_led_share").value == Decimal("30.0")
    # ... so 30 % passes; one more co-led sale (4 of 10) fails the whole quarter.
    over = Measures(**{**TIER_2_MET.__dict__, "co_led": 4, "late_involvement": 1})
    criteria = criteria_for(tier=tier("distributor", 2), measures=over, currency="USD")
    assert [c.name for c in criteria if not c.passed] == ["co_led_share"]
    assert not all(c.passed for c in criteria)


def test_a_quarter_without_customer_sales_has_no_partner_owned_share(vates):
    quiet = Measures(
        **{
            **TIER_2_MET.__dict__,
            "sales": 0,
            "partner_owned": 0,
            "co_led": 0,
            "late_involvement": 0,
        }
    )
    criteria = {
        c.name: c for c in criteria_for(tier=tier("distributor", 1), measures=quiet, currency="USD")
    }
    assert criteria["partner_owned_share"].value == Decimal("0.0")
    assert not criteria["partner_owned_share"].passed
    assert criteria["co_led_share"].passed
    assert criteria["late_involvement_share"].passed


def test_partners_that_joined_in_2026_have_no_gross_minimum_for_2026(vates):
    assert vates.gross_exemption_join_year == 2026
    joined_2026 = datetime.date(2026, 3, 1)
    assert gross_exempt(joined_on=joined_2026, exemption_year=2026, year=2026)
    assert not gross_exempt(joined_on=joined_2026, exemption_year=2026, year=2027)
    assert not gross_exempt(joined_on=datetime.date(2025, 6, 1), exemption_year=2026, year=2026)
    poor = Measures(
        **{
            **TIER_2_MET.__dict__,
            "gross_invoiced": Decimal("1000"),
            "co_led": 2,
            "late_involvement": 3,
        }
    )
    exempt = criteria_for(
        tier=tier("distributor", 2), measures=poor, currency="USD", gross_exempt=True
    )
    gross = next(c for c in exempt if c.name == "gross_invoiced")
    assert (gross.passed, gross.exempt, gross.threshold) == (True, True, Decimal("100000.00"))
    assert all(c.passed for c in exempt)
    strict = criteria_for(tier=tier("distributor", 2), measures=poor, currency="USD")
    assert [c.name for c in strict if not c.passed] == ["gross_invoiced"]


def test_a_2026_joiner_passes_the_gross_minimum_in_the_evaluation(partner):
    reseller = partner("reseller", tier=2, country="DE", vat_number=DE_VAT)
    with observer():
        Organisation.objects.filter(pk=reseller.organisation.pk).update(
            joined_on=datetime.date(THIS_QUARTER.year, 1, 15)
        )
    run(THIS_QUARTER)
    gross = next(
        c
        for c in record(reseller.organisation, THIS_QUARTER).criteria
        if c["name"] == "gross_invoiced"
    )
    exempt = THIS_QUARTER.year == 2026
    assert (gross["passed"], gross["exempt"]) == (exempt, exempt)


# --- the evaluation: records, transitions, upgrades --------------------------------------------


def test_one_failed_quarter_warns_and_a_second_moves_the_partner(partner):
    distributor = partner("distributor", tier=2, country="DE", vat_number=DE_VAT)
    quiet = partner("distributor", tier=2, country="DE", vat_number=DE_VAT)
    organisation = distributor.organisation
    # In last year's third quarter: a partner-owned sale and 60 points (enough for tier 1).
    order = sale(distributor, model="partner_owned")
    placed_days_ago(order, (TODAY - LAST_YEAR_Q3.start).days - 10)
    points(organisation, 60, on=LAST_YEAR_Q3.start + datetime.timedelta(days=10))

    first = run(LAST_YEAR_Q2)
    assert first.failed >= 2
    assert not first.transitions
    q2 = record(organisation, LAST_YEAR_Q2)
    assert (q2.passed, q2.failed_quarters, q2.transitioned_to) == (False, 1, None)
    assert current_tier(organisation) == tier("distributor", 2)

    second = run(LAST_YEAR_Q3)
    q3 = record(organisation, LAST_YEAR_Q3)
    assert (q3.passed, q3.failed_quarters) == (False, 2)
    # The best tier it meets: its own type's tier 1 (points 60 >= 50, partner-owned 100 %).
    assert q3.transitioned_to == tier("distributor", 1)
    assert current_tier(organisation) == tier("distributor", 1)
    # With nothing at all, the programme's transition type: Reseller.
    assert current_tier(quiet.organisation) == tier("reseller", 1)
    assert len(second.transitions) == 2
    with observer():
        change = TierChange.objects.get(organisation=organisation)
        assert (change.kind, change.from_tier, change.to_tier) == (
            "evaluation",
            tier("distributor", 2),
            tier("distributor", 1),
        )
        assert "Second failed quarter" in change.reason
        assert AuditEvent.objects.filter(
            action="tier.evaluation", organisation=organisation
        ).exists()
        assert (
            AuditEvent.objects.filter(
                action="tier_evaluation.recorded", organisation=organisation
            ).count()
            == 2
        )


def test_rerunning_a_quarter_replaces_its_record_and_never_moves_twice(partner):
    distributor = partner("distributor", tier=2, country="DE", vat_number=DE_VAT)
    organisation = distributor.organisation
    run(LAST_YEAR_Q2)
    run(LAST_YEAR_Q3)
    before = record(organisation, LAST_YEAR_Q3)
    assert before.transitioned_to == tier("reseller", 1)

    run(LAST_YEAR_Q3)
    run(LAST_YEAR_Q3, organisation=organisation)
    after = record(organisation, LAST_YEAR_Q3)
    assert after.pk == before.pk
    # Evaluated against the tier it had, with the same figures, still moved once.
    assert (after.tier, after.failed_quarters, after.transitioned_to) == (
        tier("distributor", 2),
        2,
        tier("reseller", 1),
    )
    with observer():
        assert TierEvaluation.objects.filter(organisation=organisation).count() == 2
        assert TierChange.objects.filter(organisation=organisation).count() == 1
    assert current_tier(organisation) == tier("reseller", 1)


def test_a_rerun_rewrites_only_the_records_whose_figures_changed(partner):
    # Given two resellers evaluated for a quarter
    changing = partner("reseller", tier=1, country="DE", vat_number=DE_VAT).organisation
    steady = partner("reseller", tier=1, country="DE", vat_number=DE_VAT).organisation
    run(LAST_YEAR_Q3)

    def audited() -> int:
        with observer():
            return AuditEvent.objects.filter(action="tier_evaluation.recorded").count()

    first = {org.pk: record(org, LAST_YEAR_Q3) for org in (changing, steady)}
    assert audited() == 2

    # When the quarter is re-run with the same figures: nothing is rewritten
    rerun = run(LAST_YEAR_Q3)
    assert rerun.evaluated == 2
    assert audited() == 2
    assert record(steady, LAST_YEAR_Q3).evaluated_at == first[steady.pk].evaluated_at

    # When one partner's figures change (points approved late): only its record is
    points(changing, 30, on=LAST_YEAR_Q3.end)
    run(LAST_YEAR_Q3)
    changed = record(changing, LAST_YEAR_Q3)
    assert changed.pk == first[changing.pk].pk
    assert changed.measures["pes"] == first[changing.pk].measures["pes"] + 30
    assert changed.evaluated_at > first[changing.pk].evaluated_at
    assert record(steady, LAST_YEAR_Q3).evaluated_at == first[steady.pk].evaluated_at
    assert audited() == 3


def test_a_partner_meeting_the_next_tier_is_flagged_and_staff_confirm(partner):
    from pes.services.tiers import upgrade_confirm
    from tests.factories import staff_user
    from tests.pes.support import attended, certified, level1_validated

    reseller = partner("reseller", tier=1, country="DE", vat_number=DE_VAT)
    organisation = reseller.organisation
    sale(reseller, quantity=100)  # $100,000 list this quarter
    level1_validated(organisation)
    certified(reseller)
    attended(reseller)
    run(THIS_QUARTER)
    evaluation = record(organisation, THIS_QUARTER)
    assert evaluation.passed
    assert evaluation.upgrade_to_id == tier("reseller", 2).pk
    assert current_tier(organisation) == tier("reseller", 1)  # staff confirm it

    with observer():
        refused = staff_user()
        with pytest.raises(Exception, match="permission"):
            upgrade_confirm(actor=refused, organisation=organisation)
        change = upgrade_confirm(actor=staff_user("pes.change_tiers"), organisation=organisation)
    assert (change.kind, change.to_tier) == ("upgrade", tier("reseller", 2))
    assert current_tier(organisation) == tier("reseller", 2)


def test_tiers_3_and_4_need_the_sales_training_to_confirm_an_upgrade(partner):
    from pes.services.tiers import upgrade_confirm
    from portal.errors import Conflict
    from tests.factories import staff_user

    reseller = partner("reseller", tier=2, country="DE", vat_number=DE_VAT)
    with observer():
        TierEvaluation.objects.create(
            organisation=reseller.organisation,
            year=LAST_YEAR_Q3.year,
            quarter=3,
            period_start=LAST_YEAR_Q3.start,
            period_end=LAST_YEAR_Q3.end,
            tier=tier("reseller", 2),
            passed=True,
            criteria=[],
            measures={"certified_sales": 0},
            upgrade_to=tier("reseller", 3),
            evaluated_at=datetime.datetime.now(datetime.UTC),
            evaluated_by="test",
        )
        with pytest.raises(Conflict, match="sales training"):
            upgrade_confirm(
                actor=staff_user("pes.change_tiers"), organisation=reseller.organisation
            )
    assert current_tier(reseller.organisation) == tier("reseller", 2)


def test_staff_override_and_restore_after_audit_with_a_reason(partner):
    from pes.services.tiers import tier_override, tier_restore
    from tests.factories import staff_user

    distributor = partner("distributor", tier=2, country="DE", vat_number=DE_VAT)
    organisation = distributor.organisation
    run(LAST_YEAR_Q2)
    run(LAST_YEAR_Q3)
    assert current_tier(organisation) == tier("reseller", 1)
    with observer():
        team = staff_user("pes.change_tiers")
        with pytest.raises(DomainError, match="reason"):
            tier_restore(actor=team, organisation=current_org(organisation), reason="  ")
        tier_restore(
            actor=team,
            organisation=current_org(organisation),
            reason="Audit of Q3: the co-led deals were registered late by us.",
        )
    assert current_tier(organisation) == tier("distributor", 2)
    with observer():
        tier_override(
            actor=team,
            organisation=current_org(organisation),
            tier=tier("distributor", 3),
            reason="Strategic partner, board decision.",
        )
        kinds = list(
            TierChange.objects.filter(organisation=organisation)
            .order_by("created_at")
            .values_list("kind", flat=True)
        )
        assert kinds == ["evaluation", "restore", "override"]
        assert AuditEvent.objects.filter(
            organisation=organisation, action="tier.override", actor=team
        ).exists()
    assert current_tier(organisation) == tier("distributor", 3)


def current_org(organisation) -> Organisation:
    return Organisation.objects.select_related("partner_type").get(pk=organisation.pk)


def test_a_move_keeps_licences_and_new_prices_use_the_new_discount(partner):
    from licensing.models import Licence

    distributor = partner("distributor", tier=2, country="DE", vat_number=DE_VAT)
    organisation = distributor.organisation
    order = sale(distributor, model="partner_owned")
    with observer():
        licence = order.lines.get().licence
        status_before = Licence.objects.get(pk=licence.pk).status
    run(LAST_YEAR_Q2)
    run(LAST_YEAR_Q3)
    assert current_tier(organisation) == tier("reseller", 1)
    with observer():
        licence = Licence.objects.get(pk=licence.pk)
    assert (licence.status, licence.ends_on) == (status_before, order.lines.get().licence.ends_on)
    with observer():
        organisation.refresh_from_db()  # as the next request loads it
    after = sale(distributor, model="partner_owned")
    assert after.partner_discount == Decimal("300.00")  # Reseller tier 1: 10 % of $3,000


def test_a_quarter_not_ended_is_refused(partner):
    partner("reseller", tier=1, country="DE", vat_number=DE_VAT)
    with pytest.raises(DomainError, match="has not ended"):
        run(THIS_QUARTER, today=TODAY)
    with pytest.raises(CommandError, match="not a quarter"):
        call_command("evaluate_tiers", "--quarter", "2026-Q7")


def test_partners_are_emailed_their_result_once(partner, django_capture_on_commit_callbacks):
    reseller = partner("reseller", tier=2, country="DE", vat_number=DE_VAT)
    with django_capture_on_commit_callbacks(execute=True):
        run(LAST_YEAR_Q2)
    result = [m for m in mail.outbox if reseller.admin.email in m.to]
    assert len(result) == 1
    assert f"{LAST_YEAR_Q2.label} tier evaluation: not passed" in result[0].subject
    assert "Gross invoiced, trailing 12 months: 0 USD (at least 100,000 USD)" in result[0].body
    assert "A second one this year" in result[0].body
    with django_capture_on_commit_callbacks(execute=True):
        run(LAST_YEAR_Q2)
    assert len([m for m in mail.outbox if reseller.admin.email in m.to]) == 1
    with django_capture_on_commit_callbacks(execute=True):
        run(LAST_YEAR_Q3)
    moved = [m for m in mail.outbox if reseller.admin.email in m.to and "tier is now" in m.subject]
    assert len(moved) == 1
    assert "active subscriptions and licences are not affected" in moved[0].body
