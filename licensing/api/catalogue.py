"""API route: the caller's programme's catalogue (SPEC §3.5): products, their plans
(prices per billing period) and the entitlements each carries.

The catalogue is programme data, not a tenant's: every member of every role reads the
active catalogue of their own organisation's programme, never another programme's.
"""

from django.urls import path
from drf_spectacular.utils import extend_schema
from rest_framework import generics, serializers

from licensing.models import Plan, Product
from licensing.selectors.catalogue import (
    catalogue_for,
    entitlement_lines,
    plan_price,
    product_quantity_limits,
)
from partners import roles
from portal.api.permissions import IsPartnerMember
from portal.api.schema import ERROR_RESPONSES


class EntitlementsSerializer(serializers.Serializer):
    """What a plan carries into each licence (and its signed file)."""

    support_tickets_per_year = serializers.IntegerField(
        allow_null=True, help_text="Null: unlimited (when support_hours names support)."
    )
    support_hours = serializers.CharField(
        allow_null=True, help_text='"business_day", "24x7", or "" for no support.'
    )
    critical_response_hours = serializers.IntegerField(
        allow_null=True, help_text="Response time for critical issues, in hours; null: none."
    )
    hypervisor_licences_all_hosts = serializers.BooleanField(allow_null=True)
    management_appliances = serializers.IntegerField(allow_null=True)
    complete_feature_access = serializers.BooleanField(allow_null=True)
    setup_assistance = serializers.BooleanField(
        allow_null=True, help_text="Setup and upgrade assistance."
    )


class PlanSerializer(serializers.ModelSerializer):
    price = serializers.DecimalField(
        max_digits=12,
        decimal_places=2,
        coerce_to_string=True,
        help_text='Per unit (the product\'s unit) and billing period, e.g. "1000.00".',
    )
    price_text = serializers.SerializerMethodField(help_text='In words: "$1,000 per host a year".')

    class Meta:
        model = Plan
        fields = ["billing_period", "currency", "price", "price_text"]
        read_only_fields = fields

    def get_price_text(self, plan) -> str:
        # The prefetch (catalogue_for) set each plan's product: no query.
        product = plan.product
        return plan_price(plan, unit=product.unit, noun=product.quantity_noun)


class ProductSerializer(serializers.ModelSerializer):
    quantity_limits = serializers.SerializerMethodField(
        help_text='The limits in words: "up to 3 hosts", "from 4 hosts" ("" for none).'
    )
    entitlements = EntitlementsSerializer()
    entitlement_lines = serializers.SerializerMethodField(
        help_text="The entitlements in words, one sentence each."
    )
    plans = PlanSerializer(
        many=True, source="active_plans", help_text="The active plans, by billing period."
    )

    class Meta:
        model = Product
        fields = [
            "code",
            "name",
            "family",
            "description",
            "unit",
            "quantity_noun",
            "min_quantity",
            "max_quantity",
            "quantity_limits",
            "machine_limit",
            "entitlements",
            "entitlement_lines",
            "plans",
        ]
        read_only_fields = fields

    def get_quantity_limits(self, product) -> str:
        return product_quantity_limits(product)

    def get_entitlement_lines(self, product) -> list[str]:
        return entitlement_lines(product.entitlements())


class ProductListView(generics.ListAPIView):
    """The active catalogue of the caller's programme, in the programme's order. Programme
    data, not a tenant's rows: the queryset is the caller's programme's
    (licensing.selectors.catalogue.catalogue_for)."""

    permission_classes = [IsPartnerMember]
    roles_by_action = {"*": roles.ALL}
    serializer_class = ProductSerializer
    filter_backends: list = []

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # drf-spectacular schema generation
            return Product.objects.none()
        return catalogue_for(organisation=self.request._request.caller.organisation)

    @extend_schema(
        summary="The programme's products, with their plans, prices and entitlements",
        responses={200: ProductSerializer, **ERROR_RESPONSES(401, 403, 404)},  # 404: page
    )
    def get(self, request, *args, **kwargs):
        return self.list(request, *args, **kwargs)


urlpatterns = [
    path("products", ProductListView.as_view(), name="products-list"),
]
