"""API routes: onboarding. The public application, the channel team's review, and the
partner's agreement and click-signature."""

import uuid

from django.urls import path
from django.utils import timezone
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import generics
from rest_framework.exceptions import ValidationError
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
    ReasonSerializer,
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
from portal.api.pagination import LINK_HEADER_PARAMETERS, LinkHeaderPagination
from portal.api.permissions import IsPartnerMember, StaffPermission
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


class StaffApplicationList(generics.ListAPIView):
    """The channel team's review queue (`?status=submitted`), oldest first. The body is a
    page of applications (`?page=`, `?page_size=`); the `Link` header names the next."""

    permission_classes = [StaffPermission("partners.view_partnerapplication")]
    serializer_class = StaffApplicationSerializer
    pagination_class = LinkHeaderPagination

    @extend_schema(
        summary="The review queue, oldest first",
        parameters=[
            OpenApiParameter("status", str, enum=PartnerApplication.Status.values, required=False),
            *LINK_HEADER_PARAMETERS,
        ],
        responses={200: StaffApplicationSerializer(many=True), **ERROR_RESPONSES(400, 403)},
    )
    def get(self, request, *args, **kwargs):
        return self.list(request, *args, **kwargs)

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # drf-spectacular schema generation
            return PartnerApplication.objects.none()
        wanted = self.request.query_params.get("status")
        if wanted and wanted not in PartnerApplication.Status.values:
            raise ValidationError({"status": [f"Not one of {PartnerApplication.Status.values}."]})
        return application_queue(status=wanted or None)


class _StaffApplicationAction(APIView):
    # Deciding needs more than reading: the decision views override this.
    permission_classes = [StaffPermission("partners.view_partnerapplication")]

    def application(self, application_id) -> PartnerApplication:
        try:
            return applications_for_review().get(pk=application_id)
        except PartnerApplication.DoesNotExist as exc:
            raise NotFound("No such application.") from exc

    def answer(self, application_id):
        return Response(StaffApplicationSerializer(self.application(application_id)).data)


class StaffApplicationDetail(_StaffApplicationAction):
    @extend_schema(
        summary="One application with its checks",
        responses={200: StaffApplicationSerializer, **ERROR_RESPONSES(403, 404)},
    )
    def get(self, request, application_id):
        return self.answer(application_id)


class StaffApplicationApprove(_StaffApplicationAction):
    permission_classes = [StaffPermission("partners.review_application")]

    @extend_schema(
        summary="Approve: creates the organisation, its agreement and invitation",
        request=None,
        responses={200: StaffApplicationSerializer, **ERROR_RESPONSES(400, 403, 404, 409)},
    )
    def post(self, request, application_id):
        application_approve(application=self.application(application_id), actor=request.user)
        return self.answer(application_id)


class _StaffApplicationDecision(_StaffApplicationAction):
    """A decision that carries a text for the applicant (a reason, a question)."""

    permission_classes = [StaffPermission("partners.review_application")]
    serializer_class: type
    service = None  # the service function, called with the text as ``text_field``
    text_field = ""

    def post(self, request, application_id):
        serializer = self.serializer_class(data=request.data)
        serializer.is_valid(raise_exception=True)
        type(self).service(
            application=self.application(application_id),
            actor=request.user,
            **{self.text_field: serializer.validated_data[self.text_field]},
        )
        return self.answer(application_id)


_DECISION_RESPONSES = {200: StaffApplicationSerializer, **ERROR_RESPONSES(400, 403, 404, 409)}


@extend_schema_view(
    post=extend_schema(
        summary="Reject, with a reason emailed to the applicant",
        request=ReasonSerializer,
        responses=_DECISION_RESPONSES,
    )
)
class StaffApplicationReject(_StaffApplicationDecision):
    serializer_class = ReasonSerializer
    service = application_reject
    text_field = "reason"


@extend_schema_view(
    post=extend_schema(
        summary="Ask the applicant for more information",
        request=MessageSerializer,
        responses=_DECISION_RESPONSES,
    )
)
class StaffApplicationRequestInfo(_StaffApplicationDecision):
    serializer_class = MessageSerializer
    service = application_request_info
    text_field = "message"


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
