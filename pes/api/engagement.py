"""API routes: engagement points (SPEC §3.9), under ``/api/v1/pes/``.

* ``GET score``: the trailing-12-month score ending today, by category, and the
  redeemable balance.
* ``GET activities``: the programme's active catalogue (what may be claimed, what events
  award). ``GET benefits``: what points may be redeemed for.
* ``GET/POST claims`` (multipart: ``activity`` code, ``performed_on``, ``description``,
  ``link``, ``files``), ``GET claims/{id}``, ``POST claims/{id}/withdraw``.
* ``GET ledger``: every entry, newest first.
* ``GET/POST redemptions`` (``benefit`` code, ``note``): administrators apply.

Every member reads and claims; administrators redeem. Another organisation's claim
answers 404. The rules are the services' (pes.services.claims, pes.services.redemptions)."""

from __future__ import annotations

from django.urls import path
from django.utils import timezone
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.response import Response
from rest_framework.views import APIView

from partners import roles
from pes.models import Activity, Benefit, Claim, PointsEntry, Redemption
from pes.selectors.engagement import claims_of, ledger_of, redemptions_of
from pes.selectors.score import redeemable_balance, trailing_score
from pes.services.claims import DESCRIPTION_MAX, MAX_CLAIM_FILES, claim_submit, claim_withdraw
from pes.services.redemptions import NOTE_MAX, redeemable_benefits, redemption_apply
from portal.api.fields import InputSerializerMixin
from portal.api.pagination import PageNumberPagination
from portal.api.parsers import JSONParser
from portal.api.permissions import IsPartnerMember
from portal.api.schema import ERROR_RESPONSES
from portal.api.viewsets import TenantViewSet

_MEMBERS = {"*": roles.CLAIM_ENGAGEMENT}


def _organisation(request):
    return request._request.caller.organisation


class PesCategorySerializer(serializers.Serializer):
    code = serializers.CharField()
    label = serializers.CharField()
    points = serializers.IntegerField()


class PesScoreSerializer(serializers.Serializer):
    organisation = serializers.UUIDField(help_text="Your organisation's id.")
    start = serializers.DateField(help_text="The window's first day (twelve months).")
    end = serializers.DateField(help_text="Today: the window's last day.")
    total = serializers.IntegerField(help_text="Points earned in the window; what tiers count.")
    categories = PesCategorySerializer(many=True)
    redeemable_balance = serializers.IntegerField(
        help_text="Points earned, less those redeemed or held by an application."
    )


class PesActivitySerializer(serializers.ModelSerializer):
    class Meta:
        model = Activity
        fields = [
            "code",
            "name",
            "category",
            "points",
            "description",
            "evidence_hint",
            "claimable",
            "auto_event",
        ]
        read_only_fields = fields


class PesBenefitSerializer(serializers.ModelSerializer):
    class Meta:
        model = Benefit
        fields = ["code", "name", "description", "points"]
        read_only_fields = fields


class PesClaimSerializer(serializers.ModelSerializer):
    activity = serializers.CharField(source="activity.code", help_text="The activity's code.")
    activity_name = serializers.CharField(source="activity.name")
    category = serializers.CharField(source="activity.category")
    status = serializers.CharField(help_text="submitted, approved, rejected or withdrawn.")
    files = serializers.SerializerMethodField(help_text="The evidence files' names.")

    class Meta:
        model = Claim
        fields = [
            "id",
            "activity",
            "activity_name",
            "category",
            "performed_on",
            "description",
            "link",
            "points",
            "status",
            "submitted_at",
            "decided_at",
            "rejection_reason",
            "files",
        ]
        read_only_fields = fields

    def get_files(self, claim) -> list[str]:
        return [f.original_name for f in claim.files.all()]


class PesClaimInputSerializer(InputSerializerMixin, serializers.Serializer):
    """Parses the request only; the rules are the service's."""

    activity = serializers.CharField(max_length=60, help_text="A claimable activity's code.")
    performed_on = serializers.DateField()
    description = serializers.CharField(max_length=DESCRIPTION_MAX)
    link = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
    files = serializers.ListField(
        child=serializers.FileField(),
        required=False,
        default=list,
        max_length=MAX_CLAIM_FILES,
        help_text="Evidence: PDF, PNG or JPEG files (checked by their content).",
    )


class PesEntrySerializer(serializers.ModelSerializer):
    kind = serializers.CharField(help_text="claim, event, adjustment or redemption.")
    activity = serializers.CharField(source="activity.code", allow_null=True, default=None)

    class Meta:
        model = PointsEntry
        fields = ["id", "kind", "category", "activity", "points", "earned_on", "description"]
        read_only_fields = fields


class PesRedemptionSerializer(serializers.ModelSerializer):
    benefit = serializers.CharField(source="benefit.code")
    benefit_name = serializers.CharField(source="benefit.name")
    status = serializers.CharField(help_text="requested, approved, rejected or withdrawn.")

    class Meta:
        model = Redemption
        fields = [
            "id",
            "benefit",
            "benefit_name",
            "points",
            "note",
            "status",
            "requested_at",
            "decided_at",
            "rejection_reason",
        ]
        read_only_fields = fields


class PesRedemptionInputSerializer(InputSerializerMixin, serializers.Serializer):
    benefit = serializers.CharField(max_length=60, help_text="A benefit's code.")
    note = serializers.CharField(max_length=NOTE_MAX, required=False, allow_blank=True, default="")


class ScoreView(APIView):
    permission_classes = [IsPartnerMember]
    roles_by_action = _MEMBERS

    @extend_schema(
        summary="Your engagement score over the last twelve months, by category",
        responses={200: PesScoreSerializer, **ERROR_RESPONSES(403)},
    )
    def get(self, request):
        organisation = _organisation(request)
        score = trailing_score(organisation=organisation, on=timezone.localdate())
        data = {
            "organisation": organisation.pk,
            "start": score.start,
            "end": score.end,
            "total": score.total,
            "categories": score.categories,
            "redeemable_balance": redeemable_balance(organisation=organisation),
        }
        return Response(PesScoreSerializer(data).data)


class ActivityListView(APIView):
    permission_classes = [IsPartnerMember]
    roles_by_action = _MEMBERS

    @extend_schema(
        summary="Your programme's engagement activities and their points",
        responses={200: PesActivitySerializer(many=True), **ERROR_RESPONSES(403)},
    )
    def get(self, request):
        activities = Activity.objects.filter(
            programme_id=_organisation(request).partner_type.programme_id, active=True
        ).order_by("category", "name")
        return Response(PesActivitySerializer(activities, many=True).data)


class BenefitListView(APIView):
    permission_classes = [IsPartnerMember]
    roles_by_action = _MEMBERS

    @extend_schema(
        summary="What your points may be redeemed for",
        responses={200: PesBenefitSerializer(many=True), **ERROR_RESPONSES(403)},
    )
    def get(self, request):
        benefits = redeemable_benefits(organisation=_organisation(request))
        return Response(PesBenefitSerializer(benefits, many=True).data)


class ClaimViewSet(TenantViewSet):
    tenant_queryset = Claim.objects.select_related("activity").prefetch_related("files")
    serializer_class = PesClaimSerializer
    roles_by_action = _MEMBERS
    parser_classes = [JSONParser, MultiPartParser, FormParser]
    pagination_class = PageNumberPagination

    @extend_schema(
        summary="Your engagement claims, newest first",
        responses={200: PesClaimSerializer(many=True), **ERROR_RESPONSES(403)},
    )
    def list(self, request):
        page = self.paginate_queryset(claims_of(self.organisation))
        return self.get_paginated_response(PesClaimSerializer(page, many=True).data)

    @extend_schema(
        summary="Claim an activity with evidence",
        request={"multipart/form-data": PesClaimInputSerializer},
        responses={201: PesClaimSerializer, **ERROR_RESPONSES(400, 403)},
    )
    def create(self, request):
        serializer = PesClaimInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        claim = claim_submit(
            organisation=self.organisation,
            actor=request.user,
            role=request._request.caller.role,
            data=serializer.validated_data,
            files=serializer.validated_data["files"],
        )
        claim = self.tenant_queryset.get(pk=claim.pk)
        return Response(PesClaimSerializer(claim).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        summary="One of your claims",
        responses={200: PesClaimSerializer, **ERROR_RESPONSES(403, 404)},
    )
    def retrieve(self, request, id=None):
        return Response(PesClaimSerializer(self.get_object()).data)

    @extend_schema(
        summary="Withdraw a claim waiting for review (its author or an administrator)",
        request=None,
        responses={200: PesClaimSerializer, **ERROR_RESPONSES(403, 404, 409)},
    )
    def withdraw(self, request, id=None):
        claim = self.get_object()
        claim_withdraw(
            organisation=self.organisation,
            actor=request.user,
            role=request._request.caller.role,
            claim_id=claim.pk,
        )
        return Response(PesClaimSerializer(self.tenant_queryset.get(pk=claim.pk)).data)


class LedgerViewSet(TenantViewSet):
    tenant_queryset = PointsEntry.objects.select_related("activity")
    serializer_class = PesEntrySerializer
    roles_by_action = _MEMBERS
    pagination_class = PageNumberPagination

    @extend_schema(
        summary="Your points ledger, newest first",
        responses={200: PesEntrySerializer(many=True), **ERROR_RESPONSES(403)},
    )
    def list(self, request):
        page = self.paginate_queryset(ledger_of(self.organisation))
        return self.get_paginated_response(PesEntrySerializer(page, many=True).data)


class RedemptionViewSet(TenantViewSet):
    tenant_queryset = Redemption.objects.select_related("benefit")
    serializer_class = PesRedemptionSerializer
    roles_by_action = {"create": roles.REDEEM_POINTS, "*": roles.CLAIM_ENGAGEMENT}
    pagination_class = PageNumberPagination

    @extend_schema(
        summary="Your applications to redeem points, newest first",
        responses={200: PesRedemptionSerializer(many=True), **ERROR_RESPONSES(403)},
    )
    def list(self, request):
        page = self.paginate_queryset(redemptions_of(self.organisation))
        return self.get_paginated_response(PesRedemptionSerializer(page, many=True).data)

    @extend_schema(
        summary="Apply to redeem points for a benefit (administrators)",
        request=PesRedemptionInputSerializer,
        responses={201: PesRedemptionSerializer, **ERROR_RESPONSES(400, 403)},
    )
    def create(self, request):
        serializer = PesRedemptionInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        redemption = redemption_apply(
            organisation=self.organisation,
            actor=request.user,
            role=request._request.caller.role,
            data=serializer.validated_data,
        )
        return Response(PesRedemptionSerializer(redemption).data, status=status.HTTP_201_CREATED)


urlpatterns = [
    path("pes/score", ScoreView.as_view(), name="pes-score"),
    path("pes/activities", ActivityListView.as_view(), name="pes-activities"),
    path("pes/benefits", BenefitListView.as_view(), name="pes-benefits"),
    path("pes/claims", ClaimViewSet.as_view({"get": "list", "post": "create"}), name="pes-claims"),
    path("pes/claims/<uuid:id>", ClaimViewSet.as_view({"get": "retrieve"}), name="pes-claim"),
    path(
        "pes/claims/<uuid:id>/withdraw",
        ClaimViewSet.as_view({"post": "withdraw"}),
        name="pes-claim-withdraw",
    ),
    path("pes/ledger", LedgerViewSet.as_view({"get": "list"}), name="pes-ledger"),
    path(
        "pes/redemptions",
        RedemptionViewSet.as_view({"get": "list", "post": "create"}),
        name="pes-redemptions",
    ),
]
