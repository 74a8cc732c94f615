"""API routes: deal registrations (SPEC §3.6).

Partners: ``/deals`` lists (filters, search, pages) and registers (POST);
``/deals/export.csv`` is the same list as CSV; ``/deals/{id}`` reads one with its history;
``/deals/{id}/answer``, ``/won`` and ``/lost`` are the partner's steps. Every member reads;
administrators and sales write (partners.roles.REGISTER_DEALS).

The channel team: ``/deals/{id}/approve``, ``/reject``, ``/request-info``, ``/extend``, with
``deals.review_deal``. The rules are in deals/services, shared with the pages and the admin.
"""

from __future__ import annotations

import csv
from decimal import Decimal

from django.http import HttpResponse
from django.urls import path
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiResponse,
    extend_schema,
    extend_schema_field,
    extend_schema_view,
)
from rest_framework import mixins, serializers, status
from rest_framework.response import Response

from deals.models import Deal, DealEvent
from deals.selectors.registrations import DealFilterSet, deal_history
from deals.services.registrations import (
    MAX_ANSWER,
    MAX_NOTES,
    deal_answer,
    deal_mark_lost,
    deal_mark_won,
    deal_submit,
)
from deals.services.review import (
    MAX_EXTENSION_DAYS,
    MAX_TEXT,
    REVIEW_PERMISSION,
    deal_approve,
    deal_extend,
    deal_reject,
    deal_request_info,
)
from partners import roles
from partners.models import EngagementModel
from portal.api.fields import InputSerializerMixin
from portal.api.permissions import StaffPermission
from portal.api.review import ReasonSerializer, StaffDecisionView, decision_responses
from portal.api.schema import ERROR_RESPONSES
from portal.api.viewsets import TenantViewSet

# --- representations -----------------------------------------------------------------------


class DealSerializer(serializers.ModelSerializer):
    product = serializers.CharField(source="product.code", help_text="The catalogue code.")
    product_name = serializers.CharField(source="product.__str__")
    customer_country = serializers.CharField(
        source="customer_country.code", help_text="Two-letter ISO 3166 code."
    )

    class Meta:
        model = Deal
        fields = [
            "id",
            "reference",
            "status",
            "customer_name",
            "customer_domain",
            "customer_country",
            "customer_region",
            "customer_email",
            "product",
            "product_name",
            "estimated_value",
            "currency",
            "expected_close_date",
            "engagement_model",
            "notes",
            "protected_until",
            "submitted_at",
            "decided_at",
            "rejection_reason",
            "updated_at",
        ]
        read_only_fields = fields


class DealEventSerializer(serializers.ModelSerializer):
    by = serializers.SerializerMethodField(help_text='"Channel team", or your member\'s name.')

    class Meta:
        model = DealEvent
        fields = ["kind", "at", "by", "text"]
        read_only_fields = fields

    def get_by(self, event) -> str:
        if event.by_channel_team or event.actor is None:
            return "Channel team"
        return event.actor.full_name or event.actor.email


class DealDetailSerializer(DealSerializer):
    history = serializers.SerializerMethodField(
        help_text="What happened, oldest first: the conversation with the channel team too."
    )

    class Meta(DealSerializer.Meta):
        fields = [*DealSerializer.Meta.fields, "history"]
        read_only_fields = fields

    @extend_schema_field(DealEventSerializer(many=True))
    def get_history(self, deal) -> list[dict]:
        return DealEventSerializer(deal_history(deal=deal), many=True).data


class StaffDealSerializer(DealSerializer):
    organisation = serializers.UUIDField(source="organisation_id")
    organisation_name = serializers.CharField(source="organisation.name")

    class Meta(DealSerializer.Meta):
        fields = [*DealSerializer.Meta.fields, "organisation", "organisation_name"]
        read_only_fields = fields


# --- input ------------------------------------------------------------------------------------


class DealCreateSerializer(InputSerializerMixin, serializers.Serializer):
    customer_name = serializers.CharField(max_length=200, help_text="The end customer's company.")
    customer_domain = serializers.CharField(
        max_length=2000,
        help_text="The customer's web domain (or its web address): stored normalised, "
        "lower case, without www., in punycode.",
    )
    customer_country = serializers.CharField(
        min_length=2, max_length=2, help_text="Two-letter ISO 3166 code, such as DE."
    )
    customer_region = serializers.CharField(
        max_length=80,
        required=False,
        allow_blank=True,
        default="",
        help_text="ISO 3166-2 code or name of the region (e.g. UA-43), where it matters.",
    )
    customer_email = serializers.EmailField(
        max_length=254, help_text="The customer contact's email: no anonymous sales."
    )
    product = serializers.CharField(max_length=40, help_text="A catalogue product's code.")
    estimated_value = serializers.DecimalField(
        max_digits=14, decimal_places=2, min_value=Decimal("0")
    )
    currency = serializers.CharField(
        min_length=3,
        max_length=3,
        required=False,
        help_text="ISO 4217; by default the programme's reporting currency.",
    )
    expected_close_date = serializers.DateField()
    engagement_model = serializers.ChoiceField(choices=EngagementModel.choices)
    notes = serializers.CharField(
        max_length=MAX_NOTES, required=False, allow_blank=True, default=""
    )


class DealAnswerSerializer(InputSerializerMixin, serializers.Serializer):
    answer = serializers.CharField(max_length=MAX_ANSWER)


class DealLostSerializer(InputSerializerMixin, serializers.Serializer):
    reason = serializers.CharField(
        max_length=MAX_ANSWER, required=False, allow_blank=True, default=""
    )


class DealQuestionSerializer(InputSerializerMixin, serializers.Serializer):
    question = serializers.CharField(max_length=MAX_TEXT, help_text="Emailed to the partner.")


class DealExtendSerializer(InputSerializerMixin, serializers.Serializer):
    days = serializers.IntegerField(
        min_value=1, max_value=MAX_EXTENSION_DAYS, help_text="Days added to the protection."
    )


# --- the partner's routes ------------------------------------------------------------------------

CSV_COLUMNS = [
    "id",
    "reference",
    "status",
    "customer_name",
    "customer_domain",
    "customer_country",
    "customer_region",
    "customer_email",
    "product",
    "estimated_value",
    "currency",
    "expected_close_date",
    "engagement_model",
    "protected_until",
    "submitted_at",
]

_DETAIL = {200: DealDetailSerializer, **ERROR_RESPONSES(400, 403, 404, 409)}


@extend_schema_view(
    list=extend_schema(
        summary="Your deal registrations, newest first (filters and search)",
        responses={200: DealSerializer, **ERROR_RESPONSES(400, 403, 404)},
    ),
    retrieve=extend_schema(
        summary="One deal registration with its history",
        responses={200: DealDetailSerializer, **ERROR_RESPONSES(403, 404)},
    ),
)
class DealViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, TenantViewSet):
    tenant_queryset = Deal.objects.select_related("product")
    serializer_class = DealSerializer
    filterset_class = DealFilterSet
    roles_by_action = {
        "create": roles.REGISTER_DEALS,
        "answer": roles.REGISTER_DEALS,
        "won": roles.REGISTER_DEALS,
        "lost": roles.REGISTER_DEALS,
        "*": roles.ALL,
    }

    def refine_queryset(self, queryset):
        return queryset.order_by("-submitted_at", "-id")

    def retrieve(self, request, *args, **kwargs):
        return Response(DealDetailSerializer(self.get_object()).data)

    def _caller(self):
        return self.request._request.caller

    @extend_schema(
        summary="Register a deal",
        request=DealCreateSerializer,
        responses={201: DealDetailSerializer, **ERROR_RESPONSES(400, 403)},
    )
    def create(self, request):
        serializer = DealCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        deal = deal_submit(
            organisation=self.organisation,
            actor=request.user,
            role=self._caller().role,
            data=dict(serializer.validated_data),
        )
        return Response(DealDetailSerializer(deal).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        summary="Answer the channel team's question (the registration returns to review)",
        request=DealAnswerSerializer,
        responses=_DETAIL,
    )
    def answer(self, request, id=None):
        deal = self.get_object()
        serializer = DealAnswerSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        deal = deal_answer(
            deal=deal,
            actor=request.user,
            role=self._caller().role,
            answer=serializer.validated_data["answer"],
        )
        return Response(DealDetailSerializer(deal).data)

    @extend_schema(summary="Mark an approved registration won", request=None, responses=_DETAIL)
    def won(self, request, id=None):
        deal = deal_mark_won(deal=self.get_object(), actor=request.user, role=self._caller().role)
        return Response(DealDetailSerializer(deal).data)

    @extend_schema(
        summary="Mark a registration lost", request=DealLostSerializer, responses=_DETAIL
    )
    def lost(self, request, id=None):
        deal = self.get_object()
        serializer = DealLostSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        deal = deal_mark_lost(
            deal=deal,
            actor=request.user,
            role=self._caller().role,
            reason=serializer.validated_data["reason"],
        )
        return Response(DealDetailSerializer(deal).data)

    @extend_schema(
        summary="Your deal registrations as CSV (the list's filters and search)",
        responses={
            (200, "text/csv"): OpenApiResponse(OpenApiTypes.STR, description="One row a deal."),
            **ERROR_RESPONSES(400, 403),
        },
    )
    def export(self, request):
        deals = self.filter_queryset(self.get_queryset())
        response = HttpResponse(content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = 'attachment; filename="deal-registrations.csv"'
        writer = csv.writer(response)
        writer.writerow(CSV_COLUMNS)
        for deal in deals.iterator(chunk_size=500):
            writer.writerow(
                [
                    deal.pk,
                    deal.reference,
                    deal.status,
                    csv_cell(deal.customer_name),
                    deal.customer_domain,
                    deal.customer_country.code,
                    csv_cell(deal.customer_region),
                    csv_cell(deal.customer_email),
                    deal.product.code,
                    deal.estimated_value,
                    deal.currency,
                    deal.expected_close_date.isoformat(),
                    deal.engagement_model,
                    deal.protected_until.isoformat() if deal.protected_until else "",
                    deal.submitted_at.isoformat(),
                ]
            )
        return response


def csv_cell(value: str) -> str:
    """Text a partner typed, safe to open in a spreadsheet: a leading =, +, - or @ would
    be read as a formula (CSV injection), so it is quoted with an apostrophe."""
    return f"'{value}" if value[:1] in ("=", "+", "-", "@", "\t", "\r") else value


# --- the channel team's decisions ----------------------------------------------------------------


class _StaffDealAction(StaffDecisionView):
    permission_classes = [StaffPermission(REVIEW_PERMISSION)]
    answer_serializer = StaffDealSerializer
    item_keyword = "deal"
    not_found = "No such deal registration."

    def items(self):
        return Deal.objects.select_related("product", "organisation")


def _decision(summary: str, request):
    return extend_schema_view(
        post=extend_schema(
            summary=summary, request=request, responses=decision_responses(StaffDealSerializer)
        )
    )


@_decision("Approve: the opportunity is reserved for the partner (staff)", None)
class DealApproveView(_StaffDealAction):
    service = deal_approve


@_decision("Reject, with a reason emailed to the partner (staff)", ReasonSerializer)
class DealRejectView(_StaffDealAction):
    serializer_class = ReasonSerializer
    service = deal_reject


@_decision("Ask the partner for more information (staff)", DealQuestionSerializer)
class DealRequestInfoView(_StaffDealAction):
    serializer_class = DealQuestionSerializer
    service = deal_request_info


@_decision("Extend an approved registration's protection (staff)", DealExtendSerializer)
class DealExtendView(_StaffDealAction):
    serializer_class = DealExtendSerializer
    service = deal_extend


urlpatterns = [
    path("deals", DealViewSet.as_view({"get": "list", "post": "create"}), name="deals-list"),
    path("deals/export.csv", DealViewSet.as_view({"get": "export"}), name="deals-export"),
    path("deals/<uuid:id>", DealViewSet.as_view({"get": "retrieve"}), name="deals-detail"),
    path("deals/<uuid:id>/answer", DealViewSet.as_view({"post": "answer"}), name="deals-answer"),
    path("deals/<uuid:id>/won", DealViewSet.as_view({"post": "won"}), name="deals-won"),
    path("deals/<uuid:id>/lost", DealViewSet.as_view({"post": "lost"}), name="deals-lost"),
    path("deals/<uuid:deal_id>/approve", DealApproveView.as_view(), name="deals-approve"),
    path("deals/<uuid:deal_id>/reject", DealRejectView.as_view(), name="deals-reject"),
    path(
        "deals/<uuid:deal_id>/request-info",
        DealRequestInfoView.as_view(),
        name="deals-request-info",
    ),
    path("deals/<uuid:deal_id>/extend", DealExtendView.as_view(), name="deals-extend"),
]
