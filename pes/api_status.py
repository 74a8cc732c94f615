"""API: where the caller's organisation stands (SPEC §3.3): ``GET /api/v1/tier-status``.
Every member may read it: a partner must always see where it stands and why."""

from __future__ import annotations

from django.urls import path
from django.utils import timezone
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from partners import roles
from pes.selectors.status import tier_status
from portal.api.permissions import IsPartnerMember
from portal.api.schema import ERROR_RESPONSES


class TypeTierSerializer(serializers.Serializer):
    partner_type = serializers.CharField(source="partner_type.code")
    partner_type_name = serializers.CharField(source="partner_type.name")
    level = serializers.IntegerField()
    name = serializers.CharField()
    label = serializers.CharField()


class CriterionSerializer(serializers.Serializer):
    name = serializers.CharField(
        help_text="gross_invoiced, level1_support, certified_sales, "
        "certified_technical, pes, partner_owned_share, co_led_share, "
        "late_involvement_share or sessions."
    )
    label = serializers.CharField()
    value = serializers.JSONField(help_text="Measured: a decimal string, an integer or a boolean.")
    threshold = serializers.JSONField(help_text="The tier's minimum, maximum or requirement.")
    comparison = serializers.ChoiceField(choices=["at_least", "at_most", "required"])
    unit = serializers.CharField(
        help_text="The reporting currency, percent, count, points or yes_no."
    )
    passed = serializers.BooleanField()
    exempt = serializers.BooleanField(help_text="The 2026 joiners' gross invoiced exemption.")
    note = serializers.CharField(help_text="Why it is exempt, or empty.")


def _criteria(criteria) -> list[dict]:
    return [c.as_json() for c in criteria]


class EvaluationSerializer(serializers.Serializer):
    quarter = serializers.CharField()
    period_start = serializers.DateField()
    period_end = serializers.DateField()
    tier = TypeTierSerializer()
    passed = serializers.BooleanField()
    failed_quarters = serializers.IntegerField(
        help_text="Failed quarters of the year at this tier."
    )
    transitioned_to = TypeTierSerializer(allow_null=True)
    upgrade_to = TypeTierSerializer(allow_null=True)
    evaluated_at = serializers.DateTimeField()
    criteria = CriterionSerializer(many=True)


class QuarterSoFarSerializer(serializers.Serializer):
    quarter = serializers.CharField()
    period_start = serializers.DateField()
    until = serializers.DateField()
    passing = serializers.BooleanField(help_text="Every criterion met so far.")
    criteria = CriterionSerializer(many=True)


class QuarterStateSerializer(serializers.Serializer):
    quarter = serializers.CharField()
    state = serializers.ChoiceField(choices=["passed", "failed", "in_progress", "not_evaluated"])


class NextTierSerializer(serializers.Serializer):
    tier = TypeTierSerializer()
    criteria = CriterionSerializer(many=True, help_text="This quarter so far, judged at it.")
    needs = serializers.ListField(child=serializers.CharField(), help_text="In plain words.")
    upgrade_flagged = serializers.BooleanField(
        help_text="The latest evaluation met every requirement: the channel team confirms it."
    )


class TierStatusSerializer(serializers.Serializer):
    organisation = serializers.UUIDField(source="organisation.id")
    organisation_name = serializers.CharField(source="organisation.name")
    tier = TypeTierSerializer(allow_null=True)
    latest_evaluation = EvaluationSerializer(allow_null=True)
    this_quarter = QuarterSoFarSerializer()
    year = QuarterStateSerializer(many=True)
    failed_quarters_this_year = serializers.IntegerField()
    at_risk = serializers.BooleanField(
        help_text="One failed quarter this year: a second moves you."
    )
    next_tier = NextTierSerializer(allow_null=True)


def _evaluation(e, criteria) -> dict | None:
    if e is None:
        return None
    return {
        "quarter": f"{e.year}Q{e.quarter}",
        "period_start": e.period_start,
        "period_end": e.period_end,
        "tier": e.tier,
        "passed": e.passed,
        "failed_quarters": e.failed_quarters,
        "transitioned_to": e.transitioned_to,
        "upgrade_to": e.upgrade_to,
        "evaluated_at": e.evaluated_at,
        "criteria": _criteria(criteria),
    }


class TierStatusView(APIView):
    """Your type and tier, the latest evaluation with every criterion (name, value,
    threshold, passed), this quarter so far, the year's quarters and what the next tier
    needs."""

    permission_classes = [IsPartnerMember]
    roles_by_action = {"*": roles.ALL}

    @extend_schema(
        summary="Where your organisation stands",
        responses={200: TierStatusSerializer, **ERROR_RESPONSES(403)},
    )
    def get(self, request):
        status = tier_status(
            organisation=request._request.caller.organisation, on=timezone.localdate()
        )
        data = {
            "organisation": status.organisation,
            "tier": status.tier,
            "latest_evaluation": _evaluation(status.latest, status.latest_criteria),
            "this_quarter": {
                "quarter": str(status.quarter),
                "period_start": status.quarter.start,
                "until": status.on,
                "passing": status.so_far_passed,
                "criteria": _criteria(status.so_far),
            },
            "year": [{"quarter": str(r.quarter), "state": r.state} for r in status.year],
            "failed_quarters_this_year": status.failed_this_year,
            "at_risk": status.at_risk,
            "next_tier": (
                {
                    "tier": status.next_tier,
                    "criteria": _criteria(status.next_tier_criteria),
                    "needs": status.next_tier_needs,
                    "upgrade_flagged": status.upgrade_flagged,
                }
                if status.next_tier is not None
                else None
            ),
        }
        return Response(TierStatusSerializer(data).data)


urlpatterns = [path("tier-status", TierStatusView.as_view(), name="tier-status")]
