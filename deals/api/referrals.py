"""API routes: referral leads and their commission statement, referral fees (SPEC §3.6).

Partners: ``/referrals`` lists and submits leads; ``/referrals/statement`` (and ``.csv``)
is the commission statement of a year; ``/referral-fees`` lists the fees the channel team
opened, ``/referral-fees/{id}/invoice`` submits the partner's invoice for one. Every member
reads; administrators and sales write.

The channel team (``deals.manage_referrals``): ``/referrals/{id}/record-sale`` and
``/decline``; ``/deals/{id}/online-purchase`` opens a referral fee;
``/referral-fees/{id}/approve`` and ``/mark-paid``.
"""

from __future__ import annotations

import csv
from decimal import Decimal

import django_filters
from django.http import HttpResponse
from django.urls import path
from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import mixins, serializers, status
from rest_framework.response import Response

from deals.api.registrations import csv_cell
from deals.models import Deal, ReferralFee, ReferralLead
from deals.selectors.referrals import commission_statement
from deals.services.referrals import (
    REFERRAL_PERMISSION,
    referral_decline,
    referral_fee_approve,
    referral_fee_invoice,
    referral_fee_mark_paid,
    referral_fee_note,
    referral_fee_record_purchase,
    referral_record_sale,
    referral_submit,
)
from deals.services.registrations import MAX_NOTES
from partners import roles
from portal.api.fields import InputSerializerMixin
from portal.api.permissions import StaffPermission
from portal.api.review import ReasonSerializer, StaffDecisionView, decision_responses
from portal.api.schema import ERROR_RESPONSES
from portal.api.viewsets import TenantViewSet

_MONEY = {"max_digits": 14, "decimal_places": 2}


class ReferralLeadSerializer(serializers.ModelSerializer):
    customer_country = serializers.CharField(source="customer_country.code")

    class Meta:
        model = ReferralLead
        fields = [
            "id",
            "reference",
            "status",
            "customer_name",
            "customer_domain",
            "customer_country",
            "customer_email",
            "notes",
            "submitted_at",
            "sale_date",
            "sale_amount",
            "currency",
            "commission_percent",
            "commission_amount",
            "decline_reason",
        ]
        read_only_fields = fields


class StaffReferralLeadSerializer(ReferralLeadSerializer):
    organisation = serializers.UUIDField(source="organisation_id")

    class Meta(ReferralLeadSerializer.Meta):
        fields = [*ReferralLeadSerializer.Meta.fields, "organisation"]
        read_only_fields = fields


class ReferralCreateSerializer(InputSerializerMixin, serializers.Serializer):
    customer_name = serializers.CharField(max_length=200)
    customer_domain = serializers.CharField(max_length=2000)
    customer_country = serializers.CharField(
        min_length=2, max_length=2, help_text="Two-letter ISO 3166 code, such as FR."
    )
    customer_email = serializers.EmailField(max_length=254)
    notes = serializers.CharField(
        max_length=MAX_NOTES, required=False, allow_blank=True, default=""
    )


class StatementQuerySerializer(InputSerializerMixin, serializers.Serializer):
    year = serializers.IntegerField(
        required=False, min_value=2000, max_value=2100, help_text="By default this year."
    )


class CurrencyTotalSerializer(serializers.Serializer):
    currency = serializers.CharField()
    sales = serializers.IntegerField()
    sale_amount = serializers.DecimalField(**_MONEY)
    commission_amount = serializers.DecimalField(**_MONEY)


class StatementSerializer(serializers.Serializer):
    """The statement: the year and its totals per currency, and a page of its lines."""

    year = serializers.IntegerField()
    totals = CurrencyTotalSerializer(many=True)
    count = serializers.IntegerField(help_text="How many sales all pages hold.")
    next = serializers.URLField(allow_null=True)
    previous = serializers.URLField(allow_null=True)
    results = ReferralLeadSerializer(many=True, help_text="The sales, by sale date.")


class ReferralFilterSet(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(
        choices=ReferralLead.Status.choices,
        error_messages={"invalid_choice": "%(value)s is not a referral status."},
    )

    class Meta:
        model = ReferralLead
        fields: list[str] = []


STATEMENT_COLUMNS = [
    "id",
    "reference",
    "customer_name",
    "customer_domain",
    "sale_date",
    "sale_amount",
    "currency",
    "commission_percent",
    "commission_amount",
]


def _year(request) -> int:
    query = StatementQuerySerializer(data=request.query_params)
    query.is_valid(raise_exception=True)
    return query.validated_data.get("year") or timezone.localdate().year


@extend_schema_view(
    list=extend_schema(
        summary="Your referral leads, newest first",
        responses={200: ReferralLeadSerializer, **ERROR_RESPONSES(400, 403, 404)},
    ),
    retrieve=extend_schema(
        summary="One referral lead",
        responses={200: ReferralLeadSerializer, **ERROR_RESPONSES(403, 404)},
    ),
)
class ReferralViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, TenantViewSet):
    tenant_queryset = ReferralLead.objects.all()
    serializer_class = ReferralLeadSerializer
    filterset_class = ReferralFilterSet
    roles_by_action = {"create": roles.REGISTER_DEALS, "*": roles.ALL}

    def refine_queryset(self, queryset):
        return queryset.order_by("-submitted_at", "-id")

    @extend_schema(
        summary="Submit a referral lead (partners whose type earns a commission)",
        request=ReferralCreateSerializer,
        responses={201: ReferralLeadSerializer, **ERROR_RESPONSES(400, 403)},
    )
    def create(self, request):
        serializer = ReferralCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        lead = referral_submit(
            organisation=self.organisation,
            actor=request.user,
            role=request._request.caller.role,
            data=dict(serializer.validated_data),
        )
        return Response(ReferralLeadSerializer(lead).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        summary="Commission statement: the year's referred sales and their commissions",
        parameters=[StatementQuerySerializer],
        responses={200: StatementSerializer, **ERROR_RESPONSES(400, 403, 404)},
    )
    def statement(self, request):
        found = commission_statement(organisation=self.organisation, year=_year(request))
        page = self.paginate_queryset(found.lines)
        paginated = self.get_paginated_response(ReferralLeadSerializer(page, many=True).data)
        totals = CurrencyTotalSerializer(found.totals, many=True).data
        return Response({"year": found.year, "totals": totals, **paginated.data})

    @extend_schema(
        summary="Commission statement as CSV",
        parameters=[StatementQuerySerializer],
        responses={
            (200, "text/csv"): OpenApiResponse(OpenApiTypes.STR, description="One row a sale."),
            **ERROR_RESPONSES(400, 403),
        },
    )
    def statement_csv(self, request):
        year = _year(request)
        found = commission_statement(organisation=self.organisation, year=year)
        response = HttpResponse(content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="commission-{year}.csv"'
        writer = csv.writer(response)
        writer.writerow(STATEMENT_COLUMNS)
        for lead in found.lines:
            writer.writerow(
                [
                    lead.pk,
                    lead.reference,
                    csv_cell(lead.customer_name),
                    lead.customer_domain,
                    lead.sale_date.isoformat(),
                    lead.sale_amount,
                    lead.currency,
                    lead.commission_percent,
                    lead.commission_amount,
                ]
            )
        for total in found.totals:
            writer.writerow(
                [
                    "",
                    "total",
                    "",
                    "",
                    "",
                    total.sale_amount,
                    total.currency,
                    "",
                    total.commission_amount,
                ]
            )
        return response


class ReferralFeeSerializer(serializers.ModelSerializer):
    deal_reference = serializers.CharField(source="deal.reference")
    invoice_note = serializers.SerializerMethodField(
        help_text='The note your invoice carries: "Referral fee for deal registration <reference>".'
    )

    class Meta:
        model = ReferralFee
        fields = [
            "id",
            "deal",
            "deal_reference",
            "status",
            "purchase_date",
            "list_amount",
            "currency",
            "discount_percent",
            "fee_amount",
            "invoice_number",
            "invoice_note",
            "invoiced_at",
            "approved_at",
            "paid_at",
            "payment_reference",
        ]
        read_only_fields = fields

    def get_invoice_note(self, fee) -> str:
        return referral_fee_note(fee.deal)


class InvoiceSerializer(InputSerializerMixin, serializers.Serializer):
    invoice_number = serializers.CharField(max_length=60)


@extend_schema_view(
    list=extend_schema(
        summary="Your referral fees (customers of your registrations who bought online)",
        responses={200: ReferralFeeSerializer, **ERROR_RESPONSES(403, 404)},
    ),
    retrieve=extend_schema(
        summary="One referral fee",
        responses={200: ReferralFeeSerializer, **ERROR_RESPONSES(403, 404)},
    ),
)
class ReferralFeeViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, TenantViewSet):
    tenant_queryset = ReferralFee.objects.select_related("deal")
    serializer_class = ReferralFeeSerializer
    roles_by_action = {"invoice": roles.REGISTER_DEALS, "*": roles.ALL}

    def refine_queryset(self, queryset):
        return queryset.order_by("-recorded_at", "-id")

    @extend_schema(
        summary="Submit your invoice for the referral fee",
        request=InvoiceSerializer,
        responses={200: ReferralFeeSerializer, **ERROR_RESPONSES(400, 403, 404, 409)},
    )
    def invoice(self, request, id=None):
        fee = self.get_object()
        serializer = InvoiceSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        fee = referral_fee_invoice(
            fee=fee,
            actor=request.user,
            role=request._request.caller.role,
            invoice_number=serializer.validated_data["invoice_number"],
        )
        return Response(ReferralFeeSerializer(fee).data)


# --- the channel team ------------------------------------------------------------------------


class _StaffReferralAction(StaffDecisionView):
    # Answers the lead or fee as the service returned it.
    permission_classes = [StaffPermission(REFERRAL_PERMISSION)]
    refetch = False
    model: type

    def items(self):
        return self.model.objects.all()


class SaleSerializer(InputSerializerMixin, serializers.Serializer):
    sale_date = serializers.DateField()
    amount = serializers.DecimalField(min_value=Decimal("0"), **_MONEY)
    currency = serializers.CharField(min_length=3, max_length=3)


class PurchaseSerializer(InputSerializerMixin, serializers.Serializer):
    purchase_date = serializers.DateField()
    list_amount = serializers.DecimalField(min_value=Decimal("0"), **_MONEY)
    currency = serializers.CharField(min_length=3, max_length=3)


class PaidSerializer(InputSerializerMixin, serializers.Serializer):
    payment_reference = serializers.CharField(
        max_length=80, required=False, allow_blank=True, default=""
    )


def _decision(summary: str, request, responses):
    return extend_schema_view(
        post=extend_schema(summary=summary, request=request, responses=responses)
    )


_LEAD = decision_responses(StaffReferralLeadSerializer)
_FEE = decision_responses(ReferralFeeSerializer)


@_decision("Record the sale a lead became: the commission is fixed (staff)", SaleSerializer, _LEAD)
class ReferralRecordSaleView(_StaffReferralAction):
    serializer_class = SaleSerializer
    answer_serializer = StaffReferralLeadSerializer
    model = ReferralLead
    item_keyword = "lead"
    service = referral_record_sale


@_decision("Decline a lead, with a reason (staff)", ReasonSerializer, _LEAD)
class ReferralDeclineView(_StaffReferralAction):
    serializer_class = ReasonSerializer
    answer_serializer = StaffReferralLeadSerializer
    model = ReferralLead
    item_keyword = "lead"
    service = referral_decline


@_decision(
    "Record that an approved registration's customer bought online (staff)",
    PurchaseSerializer,
    decision_responses(ReferralFeeSerializer, status.HTTP_201_CREATED),
)
class DealOnlinePurchaseView(_StaffReferralAction):
    serializer_class = PurchaseSerializer
    answer_serializer = ReferralFeeSerializer
    answer_status = status.HTTP_201_CREATED
    model = Deal
    item_keyword = "deal"
    service = referral_fee_record_purchase


@_decision("Approve the partner's invoice (staff)", None, _FEE)
class ReferralFeeApproveView(_StaffReferralAction):
    answer_serializer = ReferralFeeSerializer
    model = ReferralFee
    item_keyword = "fee"
    service = referral_fee_approve


@_decision("Mark the partner's invoice paid (staff)", PaidSerializer, _FEE)
class ReferralFeeMarkPaidView(_StaffReferralAction):
    serializer_class = PaidSerializer
    answer_serializer = ReferralFeeSerializer
    model = ReferralFee
    item_keyword = "fee"
    service = referral_fee_mark_paid


urlpatterns = [
    path(
        "referrals",
        ReferralViewSet.as_view({"get": "list", "post": "create"}),
        name="referrals-list",
    ),
    path(
        "referrals/statement",
        ReferralViewSet.as_view({"get": "statement"}),
        name="referrals-statement",
    ),
    path(
        "referrals/statement.csv",
        ReferralViewSet.as_view({"get": "statement_csv"}),
        name="referrals-statement-csv",
    ),
    path(
        "referrals/<uuid:id>", ReferralViewSet.as_view({"get": "retrieve"}), name="referrals-detail"
    ),
    path(
        "referrals/<uuid:lead_id>/record-sale",
        ReferralRecordSaleView.as_view(),
        name="referrals-record-sale",
    ),
    path(
        "referrals/<uuid:lead_id>/decline",
        ReferralDeclineView.as_view(),
        name="referrals-decline",
    ),
    path(
        "deals/<uuid:deal_id>/online-purchase",
        DealOnlinePurchaseView.as_view(),
        name="deals-online-purchase",
    ),
    path("referral-fees", ReferralFeeViewSet.as_view({"get": "list"}), name="referral-fees-list"),
    path(
        "referral-fees/<uuid:id>",
        ReferralFeeViewSet.as_view({"get": "retrieve"}),
        name="referral-fees-detail",
    ),
    path(
        "referral-fees/<uuid:id>/invoice",
        ReferralFeeViewSet.as_view({"post": "invoice"}),
        name="referral-fees-invoice",
    ),
    path(
        "referral-fees/<uuid:fee_id>/approve",
        ReferralFeeApproveView.as_view(),
        name="referral-fees-approve",
    ),
    path(
        "referral-fees/<uuid:fee_id>/mark-paid",
        ReferralFeeMarkPaidView.as_view(),
        name="referral-fees-mark-paid",
    ),
]
