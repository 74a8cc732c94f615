"""API routes: marketing development funds (SPEC §3.11).

* ``GET /mdf``: this year's budget and where it stands (``budget``, ``committed``,
  ``claimed``, ``paid``, ``remaining``: billing.selectors.mdf.MdfSummary), and the year's
  requests.
* ``GET /mdf/requests`` (a page at a time), ``POST /mdf/requests`` (``activity``,
  ``start_date``, ``end_date``, ``cost``, ``expected_result``): the request holds its
  cost from submission; refused (400, ``over_budget``) over what remains, 403
  ``not_eligible`` for an organisation whose partner type and tier give no funds.
* ``POST /mdf/requests/{id}/claim`` (multipart ``amount``, ``files``, optional ``note``).

Administrators and sales people (``roles.MANAGE_MDF``); another organisation's request
answers 404."""

from __future__ import annotations

from django.urls import path
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.response import Response

from billing.api.pricing import money_field
from billing.models import MdfRequest
from billing.selectors.mdf import budget_of, budget_summary, mdf_eligible, requests_of
from billing.services.mdf import (
    ACTIVITY_MAX,
    REASON_MAX,
    RESULT_MAX,
    mdf_claim_submit,
    mdf_request_submit,
)
from partners import roles
from portal.api.fields import InputSerializerMixin
from portal.api.pagination import PageNumberPagination
from portal.api.parsers import JSONParser
from portal.api.schema import ERROR_RESPONSES
from portal.api.viewsets import TenantViewSet


class MdfRequestSerializer(serializers.ModelSerializer):
    status = serializers.CharField(
        help_text="submitted, approved, rejected, claimed, claim_approved, paid or cancelled."
    )
    claim_files = serializers.SerializerMethodField(help_text="The proof files' names.")

    class Meta:
        model = MdfRequest
        fields = [
            "id",
            "activity",
            "start_date",
            "end_date",
            "cost",
            "currency",
            "expected_result",
            "status",
            "submitted_at",
            "decided_at",
            "decision_reason",
            "claimed_amount",
            "claimed_at",
            "claim_rejection_reason",
            "paid_amount",
            "paid_at",
            "claim_files",
        ]
        read_only_fields = fields

    def get_claim_files(self, request) -> list[str]:
        return [f.original_name for f in request.claim_files.all()]


class MdfSummarySerializer(serializers.Serializer):
    eligible = serializers.BooleanField()
    year = serializers.IntegerField(allow_null=True)
    currency = serializers.CharField(allow_null=True)
    budget = money_field(help_text="This year's budget.")
    committed = money_field(help_text="Held by requests in review or approved, not yet claimed.")
    claimed = money_field(help_text="Held by claims in review or approved, not yet paid.")
    paid = money_field(help_text="Paid out this year.")
    remaining = money_field(help_text="What the next request may ask for; never below zero.")
    requests = MdfRequestSerializer(many=True)


class MdfRequestInputSerializer(InputSerializerMixin, serializers.Serializer):
    """Parses the request only; the rules are the service's."""

    activity = serializers.CharField(max_length=ACTIVITY_MAX)
    start_date = serializers.DateField()
    end_date = serializers.DateField()
    cost = serializers.DecimalField(max_digits=14, decimal_places=2)
    expected_result = serializers.CharField(max_length=RESULT_MAX)


class MdfClaimInputSerializer(InputSerializerMixin, serializers.Serializer):
    amount = serializers.DecimalField(max_digits=14, decimal_places=2)
    files = serializers.ListField(
        child=serializers.FileField(),
        allow_empty=False,
        help_text="Proof of execution: PDF, PNG or JPEG files (checked by their content).",
    )
    note = serializers.CharField(
        required=False, allow_blank=True, default="", max_length=REASON_MAX
    )


class MdfViewSet(TenantViewSet):
    tenant_queryset = MdfRequest.objects.prefetch_related("claim_files")
    serializer_class = MdfRequestSerializer
    roles_by_action = {"*": roles.MANAGE_MDF}
    parser_classes = [JSONParser, MultiPartParser, FormParser]
    pagination_class = PageNumberPagination

    @extend_schema(
        summary="Your marketing budget this year: budget, committed, claimed, paid, remaining",
        responses={200: MdfSummarySerializer, **ERROR_RESPONSES(403)},
    )
    def summary(self, request):
        organisation = self.organisation
        budget = budget_of(organisation)
        summary = budget_summary(budget) if budget else None
        requests = list(requests_of(organisation)) if budget else []
        zero = "0.00"
        data = {
            "eligible": mdf_eligible(organisation),
            "year": summary.year if summary else None,
            "currency": summary.currency if summary else None,
            "budget": summary.budget if summary else zero,
            "committed": summary.committed if summary else zero,
            "claimed": summary.claimed if summary else zero,
            "paid": summary.paid if summary else zero,
            "remaining": summary.remaining if summary else zero,
            "requests": requests,
        }
        return Response(MdfSummarySerializer(data).data)

    @extend_schema(
        summary="Your marketing fund requests this year, newest first",
        responses={200: MdfRequestSerializer(many=True), **ERROR_RESPONSES(403)},
    )
    def list(self, request):
        page = self.paginate_queryset(requests_of(self.organisation))
        return self.get_paginated_response(MdfRequestSerializer(page, many=True).data)

    @extend_schema(
        summary="Request marketing funds for an activity",
        request=MdfRequestInputSerializer,
        responses={201: MdfRequestSerializer, **ERROR_RESPONSES(400, 403)},
    )
    def create(self, request):
        serializer = MdfRequestInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        created = mdf_request_submit(
            organisation=self.organisation,
            actor=request.user,
            role=request._request.caller.role,
            data=serializer.validated_data,
        )
        return Response(MdfRequestSerializer(created).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        summary="Claim an approved request with proof of execution",
        request={"multipart/form-data": MdfClaimInputSerializer},
        responses={200: MdfRequestSerializer, **ERROR_RESPONSES(400, 403, 404, 409)},
    )
    def claim(self, request, id=None):
        target = self.get_object()
        serializer = MdfClaimInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        claimed = mdf_claim_submit(
            organisation=self.organisation,
            actor=request.user,
            role=request._request.caller.role,
            request_id=target.pk,
            amount=serializer.validated_data["amount"],
            files=serializer.validated_data["files"],
            note=serializer.validated_data["note"],
        )
        claimed = MdfRequest.objects.prefetch_related("claim_files").get(pk=claimed.pk)
        return Response(MdfRequestSerializer(claimed).data)


urlpatterns = [
    path("mdf", MdfViewSet.as_view({"get": "summary"}), name="mdf"),
    path(
        "mdf/requests",
        MdfViewSet.as_view({"get": "list", "post": "create"}),
        name="mdf-requests",
    ),
    path("mdf/requests/<uuid:id>/claim", MdfViewSet.as_view({"post": "claim"}), name="mdf-claim"),
]
