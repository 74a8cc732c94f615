"""API routes: orders (SPEC §3.5, §3.10, §1 two-tier).

``/orders`` lists the caller's orders and those placed through it as a distributor
(filters, search, ordering, pages) and places one (POST); ``/orders/{id}`` reads one with
its lines, each with its licence or its redemption codes' count; ``/orders/{id}/codes`` is
the owner's CSV of its redemption codes.

The body of a POST is a contract partners' systems call (issue 10): fields are added,
never renamed. An ``Idempotency-Key`` header makes a retry safe: the same key and body
return the first order (200, ``Idempotent-Replayed: true``); the same key with another
body is refused (409 ``idempotency_key_reused``). A distributor orders for a reseller
attached to it by naming ``reseller``. The vendor's price to the distributor
(``distributor_layer``) is shown to the distributor only, never to the reseller.
"""

from __future__ import annotations

import csv

from django.http import HttpResponse
from django.urls import path
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    extend_schema_field,
    extend_schema_view,
)
from rest_framework import mixins, serializers, status
from rest_framework.response import Response

from billing.api.pricing import SaleInputSerializer, SaleLineInputSerializer, money_field
from billing.models import Order, OrderLine
from billing.selectors.orders import OrderFilterSet, order_codes, order_lines
from billing.services.codes import redeem_code_url
from billing.services.documents import PRICED_AMOUNT_FIELDS, PRICED_LINE_AMOUNT_FIELDS
from billing.services.orders import MAX_KEY, order_place, order_place_for_reseller
from billing.services.sale_input import MAX_COPIES, MAX_LINES
from billing.services.subscriptions import subscription_cancel, subscription_resume
from deals.api.registrations import csv_cell
from partners import roles
from portal.api.schema import ERROR_RESPONSES
from portal.api.viewsets import TenantViewSet
from portal.errors import NotFound

REPLAYED_HEADER = "Idempotent-Replayed"


# --- representations -----------------------------------------------------------------------


class PartyRefSerializer(serializers.Serializer):
    id = serializers.UUIDField()
    name = serializers.CharField()


class LicenceRefSerializer(serializers.Serializer):
    id = serializers.UUIDField()
    status = serializers.CharField(help_text="unbound until bound to the customer.")


class OrderLineSerializer(serializers.ModelSerializer):
    """A line priced by the engine: the preview's line fields, and what fulfils it."""

    product = serializers.CharField(source="product_code")
    licence = serializers.SerializerMethodField(
        help_text="The licence issued (fulfilment: licence), else null."
    )
    codes = serializers.SerializerMethodField(
        help_text="How many single-use redemption codes the line made (fulfilment: codes)."
    )

    class Meta:
        model = OrderLine
        fields = [
            "position",
            "product",
            "product_name",
            "quantity",
            "copies",
            "fulfilment",
            *PRICED_LINE_AMOUNT_FIELDS,
            "licence",
            "codes",
        ]
        read_only_fields = fields

    @extend_schema_field(LicenceRefSerializer(allow_null=True))
    def get_licence(self, line) -> dict | None:
        if line.licence is None:
            return None
        return {"id": line.licence.pk, "status": line.licence.status}

    def get_codes(self, line) -> int:
        return getattr(line, "code_count", 0)


class OrderDistributorLayerSerializer(serializers.Serializer):
    """The vendor's price to the distributor: the distributor's own view of an order."""

    discount = money_field(read_only=True, source="distributor_discount")
    net = money_field(read_only=True, source="distributor_net", help_text="Before tax.")
    tax = money_field(read_only=True, source="distributor_tax")
    total = money_field(read_only=True, source="distributor_total")
    margin = serializers.SerializerMethodField(
        help_text="What the distributor keeps: the reseller's net less its own."
    )

    def get_margin(self, order) -> str:
        return f"{order.net_amount - order.distributor_net:.2f}"


class OrderSerializer(serializers.ModelSerializer):
    """An order as its owner reads it, or (``supplied``) as the distributor it came
    through reads it, with the vendor's price to that distributor."""

    customer_country = serializers.CharField(source="customer_country.code")
    owner = PartyRefSerializer(source="organisation")
    distributor = PartyRefSerializer(allow_null=True)
    supplied = serializers.SerializerMethodField(
        help_text="True when you read this order as the distributor it was placed through."
    )
    deal = serializers.UUIDField(source="deal_id", allow_null=True)
    distributor_layer = serializers.SerializerMethodField(
        required=False, help_text="Distributors only: the vendor's price to you."
    )

    class Meta:
        model = Order
        fields = [
            "id",
            "reference",
            "status",
            "kind",
            "space",
            "placed_by_distributor",
            "billing_period",
            "customer_name",
            "customer_country",
            "customer_email",
            "customer_nonprofit",
            "deal",
            "engagement_model",
            "currency",
            *PRICED_AMOUNT_FIELDS,
            "upgrade_credit",
            "subscription_cancelled_at",
            "subscription_end",
            "owner",
            "distributor",
            "supplied",
            "distributor_layer",
            "created_at",
        ]
        read_only_fields = fields

    def _supplied(self, order) -> bool:
        return order.organisation_id != self.context["organisation"].pk

    def get_supplied(self, order) -> bool:
        return self._supplied(order)

    @extend_schema_field(OrderDistributorLayerSerializer)
    def get_distributor_layer(self, order) -> dict | None:
        return OrderDistributorLayerSerializer(order).data

    def to_representation(self, order):
        data = super().to_representation(order)
        if not self._supplied(order):  # the reseller never sees its supplier's price
            data.pop("distributor_layer")
        return data


class OrderDetailSerializer(OrderSerializer):
    lines = OrderLineSerializer(many=True, read_only=True)

    class Meta(OrderSerializer.Meta):
        fields = [*OrderSerializer.Meta.fields, "lines"]
        read_only_fields = fields


# --- input ------------------------------------------------------------------------------------


class OrderLineInputSerializer(SaleLineInputSerializer):
    fulfilment = serializers.ChoiceField(
        choices=OrderLine.Fulfilment.choices,
        default=OrderLine.Fulfilment.LICENCE,
        help_text="licence: one licence, ready to bind; codes: single-use redemption codes.",
    )
    copies = serializers.IntegerField(
        min_value=1,
        max_value=MAX_COPIES,
        default=1,
        help_text="Codes to make, each for the quantity (fulfilment: codes).",
    )


class OrderCreateSerializer(SaleInputSerializer):
    customer_name = serializers.CharField(
        max_length=200, required=False, allow_blank=True, help_text="The end customer's company."
    )
    customer_country = serializers.CharField(
        max_length=2,
        required=False,
        allow_blank=True,
        help_text="Two-letter ISO 3166 code (reseller space).",
    )
    customer_email = serializers.CharField(
        max_length=254,
        required=False,
        allow_blank=True,
        help_text="The customer contact's email: no anonymous sales.",
    )
    lines = OrderLineInputSerializer(many=True, min_length=1, max_length=MAX_LINES)
    reseller = serializers.UUIDField(
        required=False,
        allow_null=True,
        default=None,
        help_text="Distributors: order for this attached reseller (it owns the order).",
    )


# --- the routes ------------------------------------------------------------------------------

_IDEMPOTENCY = OpenApiParameter(
    "Idempotency-Key",
    OpenApiTypes.STR,
    OpenApiParameter.HEADER,
    required=False,
    description=f"Up to {MAX_KEY} characters: a retry with the same key and body returns the "
    "first order (200); the same key with another body is refused (409).",
)


@extend_schema_view(
    list=extend_schema(
        summary="Your orders and those placed through you, newest first (filters, search)",
        responses={200: OrderSerializer, **ERROR_RESPONSES(400, 403)},
    ),
    retrieve=extend_schema(
        summary="One order with its priced lines and what fulfils them",
        responses={200: OrderDetailSerializer, **ERROR_RESPONSES(403, 404)},
    ),
)
class OrderViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, TenantViewSet):
    tenant_queryset = Order.objects.select_related("organisation", "distributor")
    serializer_class = OrderSerializer
    filterset_class = OrderFilterSet
    roles_by_action = {
        "create": roles.BUY,
        "codes": roles.BUY,
        "cancel_subscription": roles.BUY,
        "resume_subscription": roles.BUY,
        "*": roles.ALL,
    }

    def refine_queryset(self, queryset):
        if self.action == "retrieve":
            queryset = queryset.prefetch_related(order_lines())
        return queryset.order_by("-created_at", "-id")

    def get_serializer_context(self):
        return {**super().get_serializer_context(), "organisation": self.organisation}

    def retrieve(self, request, *args, **kwargs):
        order = self.get_object()
        return Response(OrderDetailSerializer(order, context=self.get_serializer_context()).data)

    @extend_schema(
        summary="Place an order (priced by the engine; licences or codes issued at once)",
        parameters=[_IDEMPOTENCY],
        request=OrderCreateSerializer,
        responses={
            201: OrderDetailSerializer,
            200: OpenApiResponse(
                OrderDetailSerializer, description="A replay of the same Idempotency-Key."
            ),
            **ERROR_RESPONSES(400, 403, 404, 409),
        },
    )
    def create(self, request):
        serializer = OrderCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = _plain(serializer.validated_data)
        reseller_id = data.pop("reseller", None)
        caller = request._request.caller
        common = {
            "actor": request.user,
            "role": caller.role,
            "data": data,
            "idempotency_key": request.headers.get("Idempotency-Key", ""),
        }
        if reseller_id is None:
            placed = order_place(organisation=self.organisation, **common)
        else:
            placed = order_place_for_reseller(
                distributor=self.organisation, reseller_id=reseller_id, **common
            )
        order = self.tenant_queryset.prefetch_related(order_lines()).get(pk=placed.order.pk)
        body = OrderDetailSerializer(order, context=self.get_serializer_context()).data
        if placed.created:
            return Response(body, status=status.HTTP_201_CREATED)
        return Response(body, status=status.HTTP_200_OK, headers={REPLAYED_HEADER: "true"})

    @extend_schema(
        summary="The order's redemption codes as CSV (the owner only)",
        responses={
            (200, "text/csv"): OpenApiResponse(
                OpenApiTypes.STR,
                description="One row a code: code, product, quantity, redeemed (when), "
                "redeem_at (the page where the customer redeems it).",
            ),
            **ERROR_RESPONSES(403, 404),
        },
    )
    def codes(self, request, id=None):
        order = self.get_object()
        if order.organisation_id != self.organisation.pk:
            # A distributor reads the order, not the codes that are the customer's licences.
            raise NotFound("No such order of yours.")
        response = HttpResponse(content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="{order.reference}-codes.csv"'
        writer = csv.writer(response)
        # Where the customer redeems each code, as a column: a comment line above the
        # header would break the CSV for the programs that read it.
        redeem_at = redeem_code_url()
        writer.writerow(["code", "product", "quantity", "redeemed", "redeem_at"])
        for code in order_codes(order=order).iterator(chunk_size=500):
            writer.writerow(
                [
                    code.code,
                    csv_cell(code.line.product_name),
                    code.line.quantity,
                    code.redeemed_at.isoformat() if code.redeemed_at else "",
                    redeem_at,
                ]
            )
        return response

    @extend_schema(
        summary="Cancel a monthly subscription at the end of the period already billed",
        description="The licences run to the end of the current period (`subscription_end`); "
        "no later month is invoiced. 409 for a yearly order, a cancelled order or a "
        "subscription already cancelled.",
        request=None,
        responses={200: OrderDetailSerializer, **ERROR_RESPONSES(403, 404, 409)},
    )
    def cancel_subscription(self, request, id=None):
        return self._subscription(request, subscription_cancel)

    @extend_schema(
        summary="Take a subscription's cancellation back before it has ended",
        description="The next month is billed as usual. 409 for a running subscription, or "
        "one that has ended (place a new order).",
        request=None,
        responses={200: OrderDetailSerializer, **ERROR_RESPONSES(403, 404, 409)},
    )
    def resume_subscription(self, request, id=None):
        return self._subscription(request, subscription_resume)

    def _subscription(self, request, service):
        # The service refuses an order that is not the caller's own (404), as a
        # distributor's that it only reads.
        order = self.get_object()
        service(
            organisation=self.organisation,
            order=order,
            actor=request.user,
            role=request._request.caller.role,
        )
        order = self.tenant_queryset.prefetch_related(order_lines()).get(pk=order.pk)
        return Response(OrderDetailSerializer(order, context=self.get_serializer_context()).data)


def _plain(value):
    """Validated data as plain dicts and lists (what the service and its digest read)."""
    if isinstance(value, dict):
        return {key: _plain(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_plain(item) for item in value]
    return value


urlpatterns = [
    path("orders", OrderViewSet.as_view({"get": "list", "post": "create"}), name="orders-list"),
    path("orders/<uuid:id>", OrderViewSet.as_view({"get": "retrieve"}), name="orders-detail"),
    path("orders/<uuid:id>/codes", OrderViewSet.as_view({"get": "codes"}), name="orders-codes"),
    path(
        "orders/<uuid:id>/cancel-subscription",
        OrderViewSet.as_view({"post": "cancel_subscription"}),
        name="orders-cancel-subscription",
    ),
    path(
        "orders/<uuid:id>/resume-subscription",
        OrderViewSet.as_view({"post": "resume_subscription"}),
        name="orders-resume-subscription",
    ),
]
