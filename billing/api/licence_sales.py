"""API routes: a customer licence's next sale (SPEC §3.5, §3.10), by administrators and
sales (partners.roles.BUY) of the partner that owns it (a distributor reads its resellers'
licences but never sells them again: 404).

``POST /api/v1/licences/{id}/upgrade`` ``{"product", "quantity", "preview"}``: with
``preview: true``, the upgrade's price (list, discount, the unused time's credit, net, tax)
and the unused time it credits, term by term (200); otherwise it is placed (201, the
order). ``POST /api/v1/licences/{id}/renew`` ``{"preview"}``: the renewal for a year at
today's rules, previewed (200) or placed (201). Both honour an ``Idempotency-Key`` header
as ``/orders`` does (a replay: 200, ``Idempotent-Replayed: true``).
"""

from __future__ import annotations

from django.urls import path
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers, status
from rest_framework.response import Response

from billing.api.orders import _IDEMPOTENCY, REPLAYED_HEADER, OrderDetailSerializer
from billing.api.pricing import PricingSerializer, money_field
from billing.api.renewals import LicenceBriefSerializer
from billing.models import Order
from billing.selectors.orders import order_lines
from billing.services.renewals import licence_renew, renewal_prepare
from billing.services.upgrades import licence_upgrade, upgrade_preview
from licensing.models import Licence
from partners import roles
from portal.api.fields import InputSerializerMixin
from portal.api.schema import ERROR_RESPONSES
from portal.api.viewsets import TenantViewSet

MAX_QUANTITY = 1_000_000

# --- input ------------------------------------------------------------------------------------


class UpgradeInputSerializer(InputSerializerMixin, serializers.Serializer):
    product = serializers.CharField(max_length=40, help_text="The new plan's product code.")
    quantity = serializers.IntegerField(min_value=1, max_value=MAX_QUANTITY)
    preview = serializers.BooleanField(
        default=False, help_text="true: price it only; false: place the upgrade."
    )


class RenewInputSerializer(InputSerializerMixin, serializers.Serializer):
    preview = serializers.BooleanField(
        default=False, help_text="true: price it only; false: place the renewal."
    )


# --- output -----------------------------------------------------------------------------------


class UnusedTimeSerializer(serializers.Serializer):
    invoice = serializers.SerializerMethodField(
        help_text="The invoice credited (yours; null when your distributor was invoiced)."
    )
    term_starts_on = serializers.DateField(source="starts_on")
    term_ends_on = serializers.DateField(source="ends_on")
    unused_from = serializers.DateField()
    unused_days = serializers.IntegerField()
    term_days = serializers.IntegerField()
    credit = money_field(help_text="In the upgrade's currency.")

    def get_invoice(self, unused) -> str | None:
        return None if unused.two_tier else unused.invoice.reference


class UpgradePreviewSerializer(serializers.Serializer):
    licence = LicenceBriefSerializer()
    starts_on = serializers.DateField(help_text="The upgraded licence's new term.")
    ends_on = serializers.DateField()
    upgrade_credit = money_field(source="credit", help_text="The unused time's value.")
    unused = UnusedTimeSerializer(many=True)
    pricing = PricingSerializer()


class RenewalPreviewSerializer(serializers.Serializer):
    licence = LicenceBriefSerializer()
    starts_on = serializers.DateField(help_text="The renewed term.")
    ends_on = serializers.DateField()
    pricing = PricingSerializer()


_PLACED = {
    201: OrderDetailSerializer,
    **ERROR_RESPONSES(400, 403, 404, 409),
}


class LicenceSaleViewSet(TenantViewSet):
    tenant_queryset = Licence.objects.select_related("product", "organisation")
    roles_by_action = {"*": roles.BUY}

    def _placed(self, placed):
        order = (
            Order.objects.for_tenant(self.organisation)
            .select_related("organisation", "distributor")
            .prefetch_related(order_lines())
            .get(pk=placed.order.pk)
        )
        body = OrderDetailSerializer(order, context={"organisation": self.organisation}).data
        if placed.created:
            return Response(body, status=status.HTTP_201_CREATED)
        return Response(body, status=status.HTTP_200_OK, headers={REPLAYED_HEADER: "true"})

    @extend_schema(
        summary="Upgrade a customer's licence to a bigger plan (preview, or place it)",
        parameters=[_IDEMPOTENCY],
        request=UpgradeInputSerializer,
        responses={
            200: OpenApiResponse(
                UpgradePreviewSerializer,
                description="The preview (preview: true); a replayed Idempotency-Key answers "
                "the order it placed.",
            ),
            **_PLACED,
        },
    )
    def upgrade(self, request, id=None):
        licence = self.get_object()
        serializer = UpgradeInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        caller = request._request.caller
        if data["preview"]:
            plan = upgrade_preview(
                organisation=self.organisation,
                licence=licence,
                product=data["product"],
                quantity=data["quantity"],
            )
            return Response(UpgradePreviewSerializer(plan).data)
        placed = licence_upgrade(
            organisation=self.organisation,
            actor=request.user,
            role=caller.role,
            licence_id=licence.pk,
            product=data["product"],
            quantity=data["quantity"],
            idempotency_key=request.headers.get("Idempotency-Key", ""),
        )
        return self._placed(placed)

    @extend_schema(
        summary="Renew a customer's licence for a year at today's rules (preview, or place it)",
        parameters=[_IDEMPOTENCY],
        request=RenewInputSerializer,
        responses={
            200: OpenApiResponse(
                RenewalPreviewSerializer,
                description="The preview (preview: true); a replayed Idempotency-Key answers "
                "the order it placed.",
            ),
            **_PLACED,
        },
    )
    def renew(self, request, id=None):
        licence = self.get_object()
        serializer = RenewInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        if serializer.validated_data["preview"]:
            plan = renewal_prepare(organisation=self.organisation, licence=licence)
            return Response(RenewalPreviewSerializer(plan).data)
        placed = licence_renew(
            organisation=self.organisation,
            actor=request.user,
            role=request._request.caller.role,
            licence_id=licence.pk,
            idempotency_key=request.headers.get("Idempotency-Key", ""),
        )
        return self._placed(placed)


urlpatterns = [
    path(
        "licences/<uuid:id>/upgrade",
        LicenceSaleViewSet.as_view({"post": "upgrade"}),
        name="licence-upgrade",
    ),
    path(
        "licences/<uuid:id>/renew",
        LicenceSaleViewSet.as_view({"post": "renew"}),
        name="licence-renew",
    ),
]
