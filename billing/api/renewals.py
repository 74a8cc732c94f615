"""API route: renewals due (SPEC §3.10).

``GET /api/v1/renewals?days=60``: your customers' yearly licences ending within ``days``
days (1 to 366; or ended within the grace period), soonest first, a page at a time, each
with its renewal for a year priced at today's rules (before any first-sale credit, which
the renewal you place spends), or why it cannot be renewed as it is. Every member reads
it; ``POST /api/v1/licences/{id}/renew`` renews one (billing.api.licence_sales).
"""

from __future__ import annotations

from django.urls import path
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    extend_schema,
    extend_schema_field,
    extend_schema_view,
)
from rest_framework import mixins, serializers

from billing.api.pricing import PricingSerializer
from billing.selectors.renewals import DEFAULT_DAYS, MAX_DAYS, renewable_licences, renewals_priced
from licensing.models import Licence
from partners import roles
from portal.api.schema import ERROR_RESPONSES
from portal.api.viewsets import TenantViewSet
from portal.errors import DomainError


class LicenceBriefSerializer(serializers.ModelSerializer):
    product = serializers.CharField(source="product_code")

    class Meta:
        model = Licence
        fields = [
            "id",
            "product",
            "product_name",
            "quantity",
            "status",
            "customer_name",
            "starts_on",
            "ends_on",
        ]
        read_only_fields = fields


class RenewalTermSerializer(serializers.Serializer):
    starts_on = serializers.DateField()
    ends_on = serializers.DateField()
    pricing = PricingSerializer()


class RenewalDueSerializer(serializers.Serializer):
    licence = LicenceBriefSerializer()
    days_left = serializers.IntegerField(help_text="Negative: ended that many days ago.")
    renewable = serializers.SerializerMethodField()
    refusal = serializers.CharField(help_text="Why it cannot be renewed as it is, or empty.")
    renewal = serializers.SerializerMethodField(
        help_text="The renewed term and its price at today's rules; null when not renewable."
    )

    def get_renewable(self, item) -> bool:
        return item.plan is not None

    @extend_schema_field(RenewalTermSerializer(allow_null=True))
    def get_renewal(self, item) -> dict | None:
        if item.plan is None:
            return None
        return RenewalTermSerializer(item.plan).data


class DaysSerializer(serializers.Serializer):
    days = serializers.IntegerField(min_value=1, max_value=MAX_DAYS, default=DEFAULT_DAYS)


@extend_schema_view(
    list=extend_schema(
        summary="Your customers' licences due for renewal, each with its renewal's price",
        parameters=[
            OpenApiParameter(
                "days",
                OpenApiTypes.INT,
                description=f"Ending within this many days (1 to {MAX_DAYS}; default "
                f"{DEFAULT_DAYS}).",
            )
        ],
        responses={200: RenewalDueSerializer(many=True), **ERROR_RESPONSES(400, 403, 404)},
    ),
)
class RenewalViewSet(mixins.ListModelMixin, TenantViewSet):
    tenant_queryset = Licence.objects.all()
    serializer_class = RenewalDueSerializer
    roles_by_action = {"*": roles.ALL}

    def _days(self) -> int:
        serializer = DaysSerializer(data=self.request.query_params)
        if not serializer.is_valid():
            raise DomainError(f"days: from 1 to {MAX_DAYS}.", field="days")
        return serializer.validated_data["days"]

    def refine_queryset(self, queryset):
        return renewable_licences(organisation=self.organisation, days=self._days())

    def list(self, request, *args, **kwargs):
        licences = self.paginate_queryset(self.filter_queryset(self.get_queryset()))
        due = renewals_priced(organisation=self.organisation, licences=licences)
        return self.get_paginated_response(RenewalDueSerializer(due, many=True).data)


urlpatterns = [
    path("renewals", RenewalViewSet.as_view({"get": "list"}), name="renewals-list"),
]
