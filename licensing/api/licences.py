"""API routes: the organisation's licences (SPEC §3.7), read-only here; binding and the
other changes have their own routes, each through its service.

A distributor also reads the licences it supplied to its resellers (``supplied`` is true,
``owner`` names the reseller); it may never change them. The key itself is never shown
(only its last characters, ``key_hint``).
"""

from django.urls import path
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, serializers

from licensing.api.catalogue import EntitlementsSerializer
from licensing.filters import LicenceFilterSet
from licensing.models import Licence, LicenceEvent
from licensing.selectors.catalogue import entitlement_lines
from licensing.selectors.licences import licence_is_supplied
from partners import roles
from portal.api.schema import ERROR_RESPONSES
from portal.api.viewsets import TenantViewSet


class LicenceOwnerSerializer(serializers.Serializer):
    id = serializers.UUIDField()
    name = serializers.CharField()


class LicenceProductSerializer(serializers.Serializer):
    code = serializers.CharField(source="product_code")
    name = serializers.CharField(source="product_name", help_text="As it was named when issued.")
    quantity_noun = serializers.CharField(source="product.quantity_noun")


class LicenceCustomerSerializer(serializers.Serializer):
    name = serializers.CharField(source="customer_name")
    email = serializers.CharField(source="customer_email")
    country = serializers.CharField(source="customer_country", help_text="ISO 3166 code.")
    installation = serializers.CharField(source="installation_name")


class LicenceSerializer(serializers.ModelSerializer):
    product = LicenceProductSerializer(source="*")
    customer = LicenceCustomerSerializer(source="*", help_text="Empty until bound and redeemed.")
    owner = LicenceOwnerSerializer(
        source="organisation", help_text="The partner the licence belongs to."
    )
    distributor = LicenceOwnerSerializer(
        allow_null=True, help_text="The distributor it was supplied through, if any."
    )
    supplied = serializers.SerializerMethodField(
        help_text="True when you read it as the distributor that supplied it (read-only)."
    )

    class Meta:
        model = Licence
        fields = [
            "id",
            "product",
            "kind",
            "status",
            "quantity",
            "unit",
            "billing_period",
            "starts_on",
            "ends_on",
            "customer",
            "bound_at",
            "redeemed_at",
            "key_hint",
            "machine_limit",
            "owner",
            "distributor",
            "supplied",
            "created_at",
        ]
        read_only_fields = fields

    def get_supplied(self, licence) -> bool:
        return licence_is_supplied(licence, organisation=self.context["organisation"])


class LicenceEventSerializer(serializers.ModelSerializer):
    label = serializers.CharField(source="get_kind_display", help_text='"Bound to a customer"…')

    class Meta:
        model = LicenceEvent
        # Who acted is the owner's business: a distributor reads what happened, not who.
        fields = ["kind", "label", "at", "summary"]
        read_only_fields = fields


class LicenceDetailSerializer(LicenceSerializer):
    entitlements = EntitlementsSerializer(help_text="As copied from the plan when issued.")
    entitlement_lines = serializers.SerializerMethodField(
        help_text="The entitlements in words, one sentence each."
    )
    events = LicenceEventSerializer(many=True, help_text="The licence's history, oldest first.")

    class Meta(LicenceSerializer.Meta):
        fields = [*LicenceSerializer.Meta.fields, "entitlements", "entitlement_lines", "events"]
        read_only_fields = fields

    def get_entitlement_lines(self, licence) -> list[str]:
        return entitlement_lines(licence.entitlements)


@extend_schema_view(
    list=extend_schema(
        summary="List the organisation's licences (and, for a distributor, those it supplied)",
        responses={200: LicenceSerializer, **ERROR_RESPONSES(400, 403, 404)},  # 404: page
    ),
    retrieve=extend_schema(
        summary="One licence, with its entitlements and history",
        responses={200: LicenceDetailSerializer, **ERROR_RESPONSES(403, 404)},
    ),
)
class LicenceViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, TenantViewSet):
    tenant_queryset = Licence.objects.select_related("product", "organisation", "distributor")
    filterset_class = LicenceFilterSet
    roles_by_action = {"*": roles.ALL}

    def refine_queryset(self, queryset):
        if self.action == "retrieve":
            queryset = queryset.prefetch_related("events")
        return queryset.order_by("-created_at", "-id")

    def get_serializer_class(self):
        return LicenceDetailSerializer if self.action == "retrieve" else LicenceSerializer

    def get_serializer_context(self):
        context = super().get_serializer_context()
        if not getattr(self, "swagger_fake_view", False):  # drf-spectacular schema generation
            context["organisation"] = self.organisation
        return context


urlpatterns = [
    path("licences", LicenceViewSet.as_view({"get": "list"}), name="licences-list"),
    path(
        "licences/<uuid:id>",
        LicenceViewSet.as_view({"get": "retrieve"}),
        name="licences-detail",
    ),
]
