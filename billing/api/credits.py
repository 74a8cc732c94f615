"""API route: the first-sale credit (SPEC §3.5, Xen Orchestra).

``GET /api/v1/credits``: the balance per currency (what the next sale may spend, and when
the soonest part of it expires) and the ledger, newest first, a page at a time (earned by
the first sale, spent by later sales, expired after 12 months). Every member reads it.
"""

from __future__ import annotations

from django.urls import path
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, serializers

from billing.api.pricing import money_field
from billing.models import CreditEntry
from billing.selectors.credits import credit_balances
from partners import roles
from portal.api.pagination import PageNumberPagination
from portal.api.schema import ERROR_RESPONSES
from portal.api.viewsets import TenantViewSet


class CreditBalanceSerializer(serializers.Serializer):
    currency = serializers.CharField()
    amount = money_field(help_text="What your next customer sales in this currency may spend.")
    next_expiry = serializers.DateField(
        allow_null=True, help_text="When the soonest-expiring part of it expires."
    )
    next_expiry_amount = money_field(help_text="How much expires then.")


class CreditEntrySerializer(serializers.ModelSerializer):
    order = serializers.SerializerMethodField(help_text="The order's reference, or null.")
    order_id = serializers.UUIDField(allow_null=True)

    class Meta:
        model = CreditEntry
        fields = [
            "id",
            "kind",
            "amount",
            "currency",
            "expires_on",
            "order",
            "order_id",
            "created_at",
        ]
        read_only_fields = fields

    def get_order(self, entry) -> str | None:
        return entry.order.reference if entry.order is not None else None


class CreditPagination(PageNumberPagination):
    """A page of the ledger, with the balances beside it."""

    balances: tuple = ()

    def get_paginated_response(self, data):
        response = super().get_paginated_response(data)
        response.data = {
            "balances": CreditBalanceSerializer(self.balances, many=True).data,
            **response.data,
        }
        return response

    def get_paginated_response_schema(self, schema):
        paginated = super().get_paginated_response_schema(schema)
        balance = {
            "type": "object",
            "properties": {
                "currency": {"type": "string"},
                "amount": {"type": "string", "format": "decimal"},
                "next_expiry": {"type": "string", "format": "date", "nullable": True},
                "next_expiry_amount": {"type": "string", "format": "decimal"},
            },
            "required": ["currency", "amount", "next_expiry", "next_expiry_amount"],
        }
        paginated["properties"] = {
            "balances": {"type": "array", "items": balance},
            **paginated["properties"],
        }
        paginated.setdefault("required", [])
        paginated["required"] = ["balances", *paginated["required"]]
        return paginated


@extend_schema_view(
    list=extend_schema(
        summary="Your first-sale credit: the balance per currency and the ledger",
        responses={200: CreditEntrySerializer(many=True), **ERROR_RESPONSES(403, 404)},
    ),
)
class CreditViewSet(mixins.ListModelMixin, TenantViewSet):
    tenant_queryset = CreditEntry.objects.select_related("order")
    serializer_class = CreditEntrySerializer
    pagination_class = CreditPagination
    roles_by_action = {"*": roles.ALL}

    def refine_queryset(self, queryset):
        return queryset.owned_by(self.organisation).order_by("-created_at", "-id")

    def list(self, request, *args, **kwargs):
        self.paginator.balances = credit_balances(organisation=self.organisation)
        return super().list(request, *args, **kwargs)


urlpatterns = [
    path("credits", CreditViewSet.as_view({"get": "list"}), name="credits-list"),
]
