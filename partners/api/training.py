"""API routes: training (read-only, for partner admins). The channel team records the
records in the admin; partners read them and how they compare with their tier."""

from django.urls import path
from django.utils import timezone
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from partners import roles
from partners.models import SalesTraining, TechnicalCertification
from partners.selectors.training import (
    CertificationStatus,
    certifications_with_status,
    training_summary,
)
from portal.api.fields import InputSerializerMixin
from portal.api.permissions import IsPartnerMember
from portal.api.schema import ERROR_RESPONSES
from portal.api.viewsets import TenantViewSet

_ADMINS = {"*": roles.VIEW_TRAINING}


class _PersonRecordSerializer(serializers.ModelSerializer):
    membership = serializers.UUIDField(source="membership_id", allow_null=True, read_only=True)
    is_current_member = serializers.SerializerMethodField()

    def get_is_current_member(self, obj) -> bool:
        return obj.membership_id is not None


class SalesTrainingSerializer(_PersonRecordSerializer):
    class Meta:
        model = SalesTraining
        fields = [
            "id",
            "person_name",
            "person_email",
            "membership",
            "is_current_member",
            "attended_on",
            "session",
            "created_at",
        ]
        read_only_fields = fields


class CertificationSerializer(_PersonRecordSerializer):
    status = serializers.ChoiceField(
        choices=[
            CertificationStatus.VALID,
            CertificationStatus.EXPIRES_SOON,
            CertificationStatus.EXPIRED,
            CertificationStatus.NOT_YET_VALID,
        ],
        read_only=True,
        help_text="On today's date.",
    )

    class Meta:
        model = TechnicalCertification
        fields = [
            "id",
            "person_name",
            "person_email",
            "membership",
            "is_current_member",
            "name",
            "obtained_on",
            "expires_on",
            "status",
            "created_at",
        ]
        read_only_fields = fields


class SalesTrainingViewSet(mixins.ListModelMixin, TenantViewSet):
    """Your organisation's sales training attendances, latest first."""

    tenant_queryset = SalesTraining.objects.order_by("-attended_on", "person_name", "pk")
    serializer_class = SalesTrainingSerializer
    roles_by_action = _ADMINS

    @extend_schema(
        summary="Sales training attendances",
        responses={200: SalesTrainingSerializer(many=True), **ERROR_RESPONSES(403)},
    )
    def list(self, request, *args, **kwargs):
        return super().list(request, *args, **kwargs)


class CertificationViewSet(mixins.ListModelMixin, TenantViewSet):
    """Your organisation's technical certifications with their status today."""

    tenant_queryset = TechnicalCertification.objects.order_by("-obtained_on", "person_name", "pk")
    serializer_class = CertificationSerializer
    roles_by_action = _ADMINS

    def refine_queryset(self, queryset):
        return certifications_with_status(queryset, on=timezone.localdate())

    @extend_schema(
        summary="Technical certifications and their status",
        responses={200: CertificationSerializer(many=True), **ERROR_RESPONSES(403)},
    )
    def list(self, request, *args, **kwargs):
        return super().list(request, *args, **kwargs)


class RequirementSerializer(serializers.Serializer):
    certified = serializers.IntegerField(help_text="Distinct current members counted.")
    required = serializers.IntegerField(
        allow_null=True, help_text="The current tier's minimum; null: not required."
    )
    met = serializers.BooleanField(allow_null=True, help_text="Null when not required.")


class TrainingSummarySerializer(serializers.Serializer):
    organisation = serializers.UUIDField(source="organisation.id")
    tier_level = serializers.IntegerField(source="organisation.tier.level", allow_null=True)
    on = serializers.DateField()
    sales = RequirementSerializer(help_text="Certified sales professionals.")
    technical = RequirementSerializer(help_text="Certified technical experts.")


class SummaryQuerySerializer(InputSerializerMixin, serializers.Serializer):
    on = serializers.DateField(required=False, help_text="The day to count on; default today.")


class TrainingSummaryView(APIView):
    """How many current members count as certified sales professionals and technical
    experts, beside your current tier's requirements."""

    permission_classes = [IsPartnerMember]
    roles_by_action = _ADMINS

    @extend_schema(
        summary="Certified people counted against the tier's requirements",
        parameters=[SummaryQuerySerializer],
        responses={200: TrainingSummarySerializer, **ERROR_RESPONSES(400, 403)},
    )
    def get(self, request):
        query = SummaryQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        on = query.validated_data.get("on") or timezone.localdate()
        summary = training_summary(organisation=request._request.caller.organisation, on=on)
        return Response(TrainingSummarySerializer(summary).data)


urlpatterns = [
    path(
        "training/sales",
        SalesTrainingViewSet.as_view({"get": "list"}),
        name="training-sales-list",
    ),
    path(
        "training/certifications",
        CertificationViewSet.as_view({"get": "list"}),
        name="training-certifications-list",
    ),
    path("training/summary", TrainingSummaryView.as_view(), name="training-summary"),
]
