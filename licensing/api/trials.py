"""API routes: trials / PoCs (SPEC §3.7) and the channel team's review of their extensions.

``/trials`` lists the organisation's trials and requests one (POST); ``/trials/{id}/extend``
moves a trial's end within the programme's maximum; ``/trials/{id}/extension-requests``
asks the channel team for more. ``/staff/trial-extensions`` is the reviewers' queue. The
rules are in licensing/services/trials.py, shared with the trials page and the admin.
"""

from django.urls import path
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, serializers, status
from rest_framework.response import Response

from licensing.models import Licence, RequestStatus, TrialExtensionRequest
from licensing.selectors.trials import (
    extension_request_age,
    extension_request_queue,
    extension_requests_for_review,
    trial_queryset,
    trial_row,
)
from licensing.services.licences import term_days
from licensing.services.trials import (
    trial_extend,
    trial_extension_approve,
    trial_extension_reject,
    trial_extension_request,
    trial_request,
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

# --- serializers ----------------------------------------------------------------------------


class ExtensionRequestSerializer(serializers.ModelSerializer):
    class Meta:
        model = TrialExtensionRequest
        fields = [
            "id",
            "ends_on",
            "project_details",
            "status",
            "created_at",
            "decided_at",
            "decision_reason",
        ]
        read_only_fields = fields


class TrialSerializer(serializers.ModelSerializer):
    """A trial licence. ``max_ends_on``: the latest end the partner may give it itself."""

    product = serializers.CharField(source="product_code", read_only=True)
    prospect_name = serializers.CharField(source="customer_name", read_only=True)
    prospect_email = serializers.SerializerMethodField()
    project = serializers.SerializerMethodField()
    days_left = serializers.SerializerMethodField(help_text="Negative once it has ended.")
    total_days = serializers.SerializerMethodField()
    max_ends_on = serializers.SerializerMethodField()
    extension_requests = ExtensionRequestSerializer(many=True, read_only=True)

    class Meta:
        model = Licence
        fields = [
            "id",
            "product",
            "product_name",
            "quantity",
            "status",
            "prospect_name",
            "prospect_email",
            "project",
            "starts_on",
            "ends_on",
            "days_left",
            "total_days",
            "max_ends_on",
            "extension_requests",
            "created_at",
        ]
        read_only_fields = fields

    def _row(self, licence):
        return trial_row(licence=licence, programme=self.context["programme"])

    def _trial(self, licence):
        return getattr(licence, "trial", None)

    def get_prospect_email(self, licence) -> str:
        trial = self._trial(licence)
        return trial.prospect_email if trial else ""

    def get_project(self, licence) -> str:
        trial = self._trial(licence)
        return trial.project if trial else ""

    def get_days_left(self, licence) -> int:
        return self._row(licence).days_left

    def get_total_days(self, licence) -> int:
        return self._row(licence).total_days

    def get_max_ends_on(self, licence) -> str:
        return self._row(licence).max_ends_on.isoformat()


class TrialRequestSerializer(InputSerializerMixin, serializers.Serializer):
    product = serializers.CharField(
        max_length=40, help_text="A product code of your programme's catalogue, e.g. pro."
    )
    quantity = serializers.IntegerField(min_value=1, max_value=100000)
    prospect_name = serializers.CharField(max_length=200)
    prospect_email = serializers.EmailField(
        max_length=254, required=False, allow_blank=True, default=""
    )
    project = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")


class TrialExtendSerializer(InputSerializerMixin, serializers.Serializer):
    ends_on = serializers.DateField(help_text="The new last day of the trial.")


class TrialExtensionRequestInputSerializer(InputSerializerMixin, serializers.Serializer):
    ends_on = serializers.DateField(help_text="The last day asked for.")
    project_details = serializers.CharField(
        max_length=4000, help_text="The project: why the trial needs longer."
    )


# --- the partner's routes ---------------------------------------------------------------------


@extend_schema_view(
    list=extend_schema(
        summary="The organisation's trials, newest first",
        responses={200: TrialSerializer, **ERROR_RESPONSES(403, 404)},  # 404: page
    ),
    retrieve=extend_schema(
        summary="One trial", responses={200: TrialSerializer, **ERROR_RESPONSES(403, 404)}
    ),
)
class TrialViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, TenantViewSet):
    tenant_queryset = trial_queryset()
    serializer_class = TrialSerializer
    roles_by_action = {
        "create": roles.MANAGE_LICENCES,
        "extend": roles.MANAGE_LICENCES,
        "extension_request": roles.MANAGE_LICENCES,
        "*": roles.ALL,
    }

    def refine_queryset(self, queryset):
        return queryset.owned_by(self.organisation).order_by("-created_at", "-id")

    def get_serializer_context(self):
        context = super().get_serializer_context()
        if not getattr(self, "swagger_fake_view", False):
            context["programme"] = self.organisation.partner_type.programme
        return context

    def _answer(self, licence, code=status.HTTP_200_OK):
        licence = trial_queryset().get(pk=licence.pk)
        return Response(self.get_serializer(licence).data, status=code)

    @extend_schema(
        summary="Request a free trial / PoC licence for a named prospect",
        request=TrialRequestSerializer,
        responses={201: TrialSerializer, **ERROR_RESPONSES(400, 403)},
    )
    def create(self, request):
        serializer = TrialRequestSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        licence = trial_request(
            actor=request.user,
            organisation=self.organisation,
            role=request._request.caller.role,
            **serializer.validated_data,
        )
        return self._answer(licence, status.HTTP_201_CREATED)

    @extend_schema(
        summary="Extend a trial, up to the programme's maximum in total (90 days)",
        description="Beyond the maximum the answer is 400 with the code "
        "`extension_request_needed`: send an extension request instead.",
        request=TrialExtendSerializer,
        responses={200: TrialSerializer, **ERROR_RESPONSES(400, 403, 404, 409)},
    )
    def extend(self, request, id=None):
        licence = self.get_object()
        serializer = TrialExtendSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        licence = trial_extend(
            actor=request.user,
            organisation=self.organisation,
            role=request._request.caller.role,
            licence=licence,
            ends_on=serializer.validated_data["ends_on"],
        )
        return self._answer(licence)

    @extend_schema(
        summary="Ask the channel team to extend a trial beyond the programme's maximum",
        request=TrialExtensionRequestInputSerializer,
        responses={201: ExtensionRequestSerializer, **ERROR_RESPONSES(400, 403, 404, 409)},
    )
    def extension_request(self, request, id=None):
        licence = self.get_object()
        serializer = TrialExtensionRequestInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        extension = trial_extension_request(
            actor=request.user,
            organisation=self.organisation,
            role=request._request.caller.role,
            licence=licence,
            **serializer.validated_data,
        )
        return Response(ExtensionRequestSerializer(extension).data, status=status.HTTP_201_CREATED)


# --- the channel team's routes ----------------------------------------------------------------


class StaffTrialExtensionSerializer(serializers.ModelSerializer):
    organisation = serializers.CharField(source="organisation.name", read_only=True)
    organisation_id = serializers.UUIDField(read_only=True)
    licence = serializers.UUIDField(source="licence_id", read_only=True)
    prospect_name = serializers.CharField(source="licence.customer_name", read_only=True)
    product_name = serializers.CharField(source="licence.product_name", read_only=True)
    quantity = serializers.IntegerField(source="licence.quantity", read_only=True)
    starts_on = serializers.DateField(source="licence.starts_on", read_only=True)
    current_ends_on = serializers.DateField(source="licence.ends_on", read_only=True)
    total_days = serializers.SerializerMethodField(help_text="The trial's length if approved.")
    waiting_days = serializers.SerializerMethodField()
    late = serializers.SerializerMethodField()
    requested_by = serializers.EmailField(
        source="requested_by.email", read_only=True, allow_null=True, default=None
    )

    class Meta:
        model = TrialExtensionRequest
        fields = [
            "id",
            "organisation",
            "organisation_id",
            "licence",
            "prospect_name",
            "product_name",
            "quantity",
            "starts_on",
            "current_ends_on",
            "ends_on",
            "total_days",
            "project_details",
            "status",
            "requested_by",
            "created_at",
            "waiting_days",
            "late",
            "decided_at",
            "decision_reason",
        ]
        read_only_fields = fields

    def get_total_days(self, request) -> int:
        return term_days(request.licence.starts_on, request.ends_on)

    def get_waiting_days(self, request) -> int:
        return extension_request_age(request=request)[0].days

    def get_late(self, request) -> bool:
        return extension_request_age(request=request)[1]


@queue_schema(
    summary="Trial extension requests, oldest first",
    serializer=StaffTrialExtensionSerializer,
    status_choices=RequestStatus,
)
class StaffTrialExtensionList(StaffReviewQueue):
    """The reviewers' queue of trial extension requests, oldest first (`?status=pending`)."""

    permission_classes = [StaffPermission("licensing.view_trialextensionrequest")]
    serializer_class = StaffTrialExtensionSerializer
    status_choices = RequestStatus

    def queue(self, status):
        return extension_request_queue(status=status)


class _StaffTrialExtensionDecision(StaffDecisionView):
    permission_classes = [StaffPermission("licensing.review_trial_extension")]
    serializer_class = ReasonSerializer
    answer_serializer = StaffTrialExtensionSerializer
    item_keyword = "request"
    not_found = "No such trial extension request."

    def items(self):
        return extension_requests_for_review()


@extend_schema_view(
    post=extend_schema(
        summary="Approve: the trial runs until the requested end; the partner is emailed",
        request=NoteSerializer,
        responses=decision_responses(StaffTrialExtensionSerializer),
    )
)
class StaffTrialExtensionApprove(_StaffTrialExtensionDecision):
    serializer_class = NoteSerializer
    service = trial_extension_approve


@extend_schema_view(
    post=extend_schema(
        summary="Reject, with a reason emailed to the partner",
        request=ReasonSerializer,
        responses=decision_responses(StaffTrialExtensionSerializer),
    )
)
class StaffTrialExtensionReject(_StaffTrialExtensionDecision):
    service = trial_extension_reject


urlpatterns = [
    path(
        "trials",
        TrialViewSet.as_view({"get": "list", "post": "create"}),
        name="trials-list",
    ),
    path("trials/<uuid:id>", TrialViewSet.as_view({"get": "retrieve"}), name="trials-detail"),
    path(
        "trials/<uuid:id>/extend",
        TrialViewSet.as_view({"post": "extend"}),
        name="trials-extend",
    ),
    path(
        "trials/<uuid:id>/extension-requests",
        TrialViewSet.as_view({"post": "extension_request"}),
        name="trials-extension-requests",
    ),
    path(
        "staff/trial-extensions",
        StaffTrialExtensionList.as_view(),
        name="staff-trial-extensions-list",
    ),
    path(
        "staff/trial-extensions/<uuid:request_id>/approve",
        StaffTrialExtensionApprove.as_view(),
        name="staff-trial-extensions-approve",
    ),
    path(
        "staff/trial-extensions/<uuid:request_id>/reject",
        StaffTrialExtensionReject.as_view(),
        name="staff-trial-extensions-reject",
    ),
]
