"""API routes: onboarding. The public application, the channel team's review, and the
partner's agreement and click-signature."""

import uuid

from django.urls import path
from django.utils import timezone
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from partners.models import PartnerApplication
from partners.selectors.agreements import current_agreement
from partners.selectors.applications import application_queue, applications_for_review
from partners.serializers import (
    AgreementSerializer,
    ApplicationReceiptSerializer,
    ApplicationSubmitSerializer,
    MessageSerializer,
    SignSerializer,
    StaffApplicationSerializer,
)
from partners.services.agreements import agreement_accept
from partners.services.applications import (
    application_approve,
    application_reject,
    application_request_info,
    application_submit,
    partner_type_for_code,
)
from partners.throttles import ApplicationRateThrottle
from portal.api.permissions import IsPartnerMember, StaffPermission
from portal.api.review import (
    ReasonSerializer,
    StaffDecisionView,
    StaffReviewQueue,
    decision_responses,
    queue_schema,
    review_item,
)
from portal.api.schema import ERROR_RESPONSES
from portal.client_address import client_ip
from portal.errors import NotFound
from portal.tenancy.context import system_context


class ApplicationCreateView(APIView):
    """Apply to join the partner programme. No login; rate-limited per client IP."""

    authentication_classes = []
    permission_classes = [AllowAny]
    throttle_classes = [ApplicationRateThrottle]

    @extend_schema(
        summary="Apply to join the partner programme",
        request=ApplicationSubmitSerializer,
        responses={201: ApplicationReceiptSerializer, **ERROR_RESPONSES(400)},
        auth=[],
    )
    def post(self, request):
        serializer = ApplicationSubmitSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        if data.pop("fax"):
            # A bot filled the honeypot: answer like a success, store nothing.
            receipt = {"id": uuid.uuid4(), "status": "submitted", "submitted_at": timezone.now()}
            return Response(ApplicationReceiptSerializer(receipt).data, status=201)
        with system_context("public:application"):
            data["partner_type"] = partner_type_for_code(code=data["partner_type"])
            application = application_submit(data=data, ip=client_ip(request))
        return Response(ApplicationReceiptSerializer(application).data, status=201)


@queue_schema(
    summary="The review queue, oldest first",
    serializer=StaffApplicationSerializer,
    status_choices=PartnerApplication.Status,
)
class StaffApplicationList(StaffReviewQueue):
    """The channel team's review queue (`?status=submitted`), oldest first. The body is a
    page of applications (`?page=`, `?page_size=`); the `Link` header names the next."""

    permission_classes = [StaffPermission("partners.view_partnerapplication")]
    serializer_class = StaffApplicationSerializer
    status_choices = PartnerApplication.Status

    def queue(self, status):
        return application_queue(status=status)


_NOT_FOUND = "No such application."


class StaffApplicationDetail(APIView):
    # Deciding needs more than reading: the decision views need partners.review_application.
    permission_classes = [StaffPermission("partners.view_partnerapplication")]

    @extend_schema(
        summary="One application with its checks",
        responses={200: StaffApplicationSerializer, **ERROR_RESPONSES(403, 404)},
    )
    def get(self, request, application_id):
        application = review_item(applications_for_review(), application_id, _NOT_FOUND)
        return Response(StaffApplicationSerializer(application).data)


class _StaffApplicationDecision(StaffDecisionView):
    # The reason or question of a decision goes to the service, which emails it.
    permission_classes = [StaffPermission("partners.review_application")]
    answer_serializer = StaffApplicationSerializer
    item_keyword = "application"
    not_found = _NOT_FOUND

    def items(self):
        return applications_for_review()


_DECISION_RESPONSES = decision_responses(StaffApplicationSerializer)
_WITH_TEXT = "A decision that carries a text for the applicant (a reason, a question)."


@extend_schema_view(
    post=extend_schema(
        summary="Approve: creates the organisation, its agreement and invitation",
        request=None,
        responses=_DECISION_RESPONSES,
    )
)
class StaffApplicationApprove(_StaffApplicationDecision):
    service = application_approve


@extend_schema_view(
    post=extend_schema(
        summary="Reject, with a reason emailed to the applicant",
        description=_WITH_TEXT,
        request=ReasonSerializer,
        responses=_DECISION_RESPONSES,
    )
)
class StaffApplicationReject(_StaffApplicationDecision):
    serializer_class = ReasonSerializer
    service = application_reject


@extend_schema_view(
    post=extend_schema(
        summary="Ask the applicant for more information",
        description=_WITH_TEXT,
        request=MessageSerializer,
        responses=_DECISION_RESPONSES,
    )
)
class StaffApplicationRequestInfo(_StaffApplicationDecision):
    serializer_class = MessageSerializer
    service = application_request_info


class AgreementView(APIView):
    """Your organisation's partner agreement: documents, and who signed it when."""

    permission_classes = [IsPartnerMember]
    allow_pending_organisation = True

    def current(self, request):
        agreement = current_agreement(organisation=request._request.caller.organisation)
        if agreement is None:
            raise NotFound("Your organisation has no agreement yet.")
        return agreement

    @extend_schema(
        summary="The organisation's agreement and its documents",
        responses={200: AgreementSerializer, **ERROR_RESPONSES(401, 403, 404)},
    )
    def get(self, request):
        return Response(
            AgreementSerializer(self.current(request), context={"request": request}).data
        )


class AgreementSignView(AgreementView):
    """Sign the agreement (administrators): the reseller space opens."""

    roles_by_action = {"post": {"admin"}}
    http_method_names = ["post", "options"]

    @extend_schema(
        summary="Sign the agreement (administrators)",
        request=SignSerializer,
        responses={200: AgreementSerializer, **ERROR_RESPONSES(400, 401, 403, 404, 409)},
    )
    def post(self, request):
        serializer = SignSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        agreement = agreement_accept(
            agreement=self.current(request),
            actor=request.user,
            ip=client_ip(request),
            name=serializer.validated_data["name"],
        )
        return Response(AgreementSerializer(agreement, context={"request": request}).data)


urlpatterns = [
    path("applications", ApplicationCreateView.as_view(), name="applications"),
    path("staff/applications", StaffApplicationList.as_view(), name="staff-applications-list"),
    path(
        "staff/applications/<uuid:application_id>",
        StaffApplicationDetail.as_view(),
        name="staff-applications-detail",
    ),
    path(
        "staff/applications/<uuid:application_id>/approve",
        StaffApplicationApprove.as_view(),
        name="staff-applications-approve",
    ),
    path(
        "staff/applications/<uuid:application_id>/reject",
        StaffApplicationReject.as_view(),
        name="staff-applications-reject",
    ),
    path(
        "staff/applications/<uuid:application_id>/request-info",
        StaffApplicationRequestInfo.as_view(),
        name="staff-applications-request-info",
    ),
    path("agreement", AgreementView.as_view(), name="agreement"),
    path("agreement/sign", AgreementSignView.as_view(), name="agreement-sign"),
]
