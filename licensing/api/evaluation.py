"""API routes: partner evaluation licences (SPEC §3.7; Mattermost's Partner Evaluation
License) and the channel team's review of the requests. The rules are in
licensing/services/evaluation.py, shared with the page and the admin."""

from django.urls import path
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, serializers, status
from rest_framework.response import Response

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
from portal.api.permissions import StaffPermission
from portal.api.review import (
    NoteSerializer,
    ReasonSerializer,
    StaffDecisionView,
    StaffReviewQueue,
    decision_responses,
    queue_schema,
)
from portal.api.schema import ERROR_RESPONSES
from portal.api.viewsets import TenantViewSet


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


@queue_schema(
    summary="Evaluation licence requests, oldest first",
    serializer=StaffEvaluationSerializer,
    status_choices=RequestStatus,
)
class StaffEvaluationList(StaffReviewQueue):
    """The reviewers' queue of evaluation licence requests, oldest first."""

    permission_classes = [StaffPermission("licensing.view_evaluationlicencerequest")]
    serializer_class = StaffEvaluationSerializer
    status_choices = RequestStatus

    def queue(self, status):
        return evaluation_request_queue(status=status)


class _StaffEvaluationDecision(StaffDecisionView):
    permission_classes = [StaffPermission("licensing.review_evaluation_licence")]
    serializer_class = ReasonSerializer
    answer_serializer = StaffEvaluationSerializer
    item_keyword = "request"
    not_found = "No such evaluation licence request."

    def items(self):
        return evaluation_requests_for_review()


@extend_schema_view(
    post=extend_schema(
        summary="Approve: issues the one-year evaluation licence and emails the requester",
        request=NoteSerializer,
        responses=decision_responses(StaffEvaluationSerializer),
    )
)
class StaffEvaluationApprove(_StaffEvaluationDecision):
    serializer_class = NoteSerializer
    service = evaluation_approve


@extend_schema_view(
    post=extend_schema(
        summary="Reject, with a reason emailed to the requester",
        request=ReasonSerializer,
        responses=decision_responses(StaffEvaluationSerializer),
    )
)
class StaffEvaluationReject(_StaffEvaluationDecision):
    service = evaluation_reject


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
