"""API routes: partner evaluation licences (SPEC §3.7; Mattermost's Partner Evaluation
License) and the channel team's review of the requests. The rules are in
licensing/services/evaluation.py, shared with the page and the admin."""

from django.urls import path
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import generics, mixins, serializers, status
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response
from rest_framework.views import APIView

from licensing.api.trials import StaffNoteSerializer, StaffReasonSerializer
from licensing.models import EvaluationLicenceRequest, RequestStatus
from licensing.selectors.evaluation import (
    evaluation_request_age,
    evaluation_request_queue,
    evaluation_requests_for_review,
)
from licensing.services.evaluation import (
    evaluation_approve,
    evaluation_reject,
    evaluation_request,
)
from partners import roles
from portal.api.fields import InputSerializerMixin
from portal.api.pagination import LINK_HEADER_PARAMETERS, LinkHeaderPagination
from portal.api.permissions import StaffPermission
from portal.api.schema import ERROR_RESPONSES
from portal.api.viewsets import TenantViewSet
from portal.errors import NotFound


class EvaluationRequestSerializer(serializers.ModelSerializer):
    licence = serializers.UUIDField(source="licence_id", read_only=True, allow_null=True)
    starts_on = serializers.DateField(
        source="licence.starts_on", read_only=True, allow_null=True, default=None
    )
    ends_on = serializers.DateField(
        source="licence.ends_on", read_only=True, allow_null=True, default=None
    )

    class Meta:
        model = EvaluationLicenceRequest
        fields = [
            "id",
            "users",
            "purpose",
            "status",
            "created_at",
            "decided_at",
            "decision_reason",
            "licence",
            "starts_on",
            "ends_on",
        ]
        read_only_fields = fields


class EvaluationRequestInputSerializer(InputSerializerMixin, serializers.Serializer):
    users = serializers.IntegerField(
        min_value=1, max_value=100000, help_text="Up to your partner type's limit (50)."
    )
    purpose = serializers.CharField(max_length=2000, help_text="What you will evaluate it for.")


@extend_schema_view(
    list=extend_schema(
        summary="The organisation's evaluation licence requests, newest first",
        responses={200: EvaluationRequestSerializer, **ERROR_RESPONSES(403, 404)},
    ),
    retrieve=extend_schema(
        summary="One evaluation licence request",
        responses={200: EvaluationRequestSerializer, **ERROR_RESPONSES(403, 404)},
    ),
)
class EvaluationRequestViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, TenantViewSet):
    tenant_queryset = EvaluationLicenceRequest.objects.select_related("licence")
    serializer_class = EvaluationRequestSerializer
    roles_by_action = {"create": roles.MANAGE_LICENCES, "*": roles.ALL}

    def refine_queryset(self, queryset):
        return queryset.order_by("-created_at", "-id")

    @extend_schema(
        summary="Request a partner evaluation licence (or its renewal) for the channel "
        "team's review",
        description="For partner types with an evaluation licence (Mattermost value-added "
        "resellers and system integrators); others get 400 `evaluation_not_offered`. A "
        "renewal is accepted from 60 days before the current licence ends.",
        request=EvaluationRequestInputSerializer,
        responses={201: EvaluationRequestSerializer, **ERROR_RESPONSES(400, 403, 409)},
    )
    def create(self, request):
        serializer = EvaluationRequestInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        created = evaluation_request(
            actor=request.user,
            organisation=self.organisation,
            role=request._request.caller.role,
            **serializer.validated_data,
        )
        return Response(EvaluationRequestSerializer(created).data, status=status.HTTP_201_CREATED)


class StaffEvaluationSerializer(serializers.ModelSerializer):
    organisation = serializers.CharField(source="organisation.name", read_only=True)
    organisation_id = serializers.UUIDField(read_only=True)
    partner_type = serializers.CharField(source="organisation.partner_type.name", read_only=True)
    licence = serializers.UUIDField(source="licence_id", read_only=True, allow_null=True)
    requested_by = serializers.EmailField(
        source="requested_by.email", read_only=True, allow_null=True, default=None
    )
    waiting_days = serializers.SerializerMethodField()
    late = serializers.SerializerMethodField()

    class Meta:
        model = EvaluationLicenceRequest
        fields = [
            "id",
            "organisation",
            "organisation_id",
            "partner_type",
            "users",
            "purpose",
            "status",
            "requested_by",
            "created_at",
            "waiting_days",
            "late",
            "decided_at",
            "decision_reason",
            "licence",
        ]
        read_only_fields = fields

    def get_waiting_days(self, request) -> int:
        return evaluation_request_age(request=request)[0].days

    def get_late(self, request) -> bool:
        return evaluation_request_age(request=request)[1]


class StaffEvaluationList(generics.ListAPIView):
    """The reviewers' queue of evaluation licence requests, oldest first."""

    permission_classes = [StaffPermission("licensing.view_evaluationlicencerequest")]
    serializer_class = StaffEvaluationSerializer
    pagination_class = LinkHeaderPagination

    @extend_schema(
        summary="Evaluation licence requests, oldest first",
        parameters=[
            OpenApiParameter("status", str, enum=RequestStatus.values, required=False),
            *LINK_HEADER_PARAMETERS,
        ],
        responses={200: StaffEvaluationSerializer(many=True), **ERROR_RESPONSES(400, 403)},
    )
    def get(self, request, *args, **kwargs):
        return self.list(request, *args, **kwargs)

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # drf-spectacular schema generation
            return EvaluationLicenceRequest.objects.none()
        wanted = self.request.query_params.get("status")
        if wanted and wanted not in RequestStatus.values:
            raise ValidationError({"status": [f"Not one of {RequestStatus.values}."]})
        return evaluation_request_queue(status=wanted or None)


class _StaffEvaluationDecision(APIView):
    permission_classes = [StaffPermission("licensing.review_evaluation_licence")]
    serializer_class = StaffReasonSerializer

    def evaluation(self, request_id) -> EvaluationLicenceRequest:
        try:
            return evaluation_requests_for_review().get(pk=request_id)
        except EvaluationLicenceRequest.DoesNotExist as exc:
            raise NotFound("No such evaluation licence request.") from exc

    def decide(self, request, request_id, service):
        serializer = self.serializer_class(data=request.data)
        serializer.is_valid(raise_exception=True)
        service(
            actor=request.user,
            request=self.evaluation(request_id),
            reason=serializer.validated_data["reason"],
        )
        return Response(StaffEvaluationSerializer(self.evaluation(request_id)).data)


_DECISION_RESPONSES = {200: StaffEvaluationSerializer, **ERROR_RESPONSES(400, 403, 404, 409)}


class StaffEvaluationApprove(_StaffEvaluationDecision):
    serializer_class = StaffNoteSerializer

    @extend_schema(
        summary="Approve: issues the one-year evaluation licence and emails the requester",
        request=StaffNoteSerializer,
        responses=_DECISION_RESPONSES,
    )
    def post(self, request, request_id):
        return self.decide(request, request_id, evaluation_approve)


class StaffEvaluationReject(_StaffEvaluationDecision):
    @extend_schema(
        summary="Reject, with a reason emailed to the requester",
        request=StaffReasonSerializer,
        responses=_DECISION_RESPONSES,
    )
    def post(self, request, request_id):
        return self.decide(request, request_id, evaluation_reject)


urlpatterns = [
    path(
        "evaluation-licences",
        EvaluationRequestViewSet.as_view({"get": "list", "post": "create"}),
        name="evaluation-licences-list",
    ),
    path(
        "evaluation-licences/<uuid:id>",
        EvaluationRequestViewSet.as_view({"get": "retrieve"}),
        name="evaluation-licences-detail",
    ),
    path(
        "staff/evaluation-licences",
        StaffEvaluationList.as_view(),
        name="staff-evaluation-licences-list",
    ),
    path(
        "staff/evaluation-licences/<uuid:request_id>/approve",
        StaffEvaluationApprove.as_view(),
        name="staff-evaluation-licences-approve",
    ),
    path(
        "staff/evaluation-licences/<uuid:request_id>/reject",
        StaffEvaluationReject.as_view(),
        name="staff-evaluation-licences-reject",
    ),
]
