"""API route: the price preview (SPEC §3.5), every step of the engine for a sale.

``POST /api/v1/pricing/preview`` is a contract partners' systems call: fields are added,
never renamed. Amounts are decimal strings with two places. A distributor previews a sale
for a reseller attached to it by naming ``reseller``; it then sees both price layers (the
vendor's price to it, its price to the reseller), which the reseller never sees.
"""

from django.urls import path
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from billing.models import Space
from billing.services.preview import pricing_preview
from billing.services.pricing import Pricing
from licensing.models import BillingPeriod
from partners import roles
from portal.api.fields import InputSerializerMixin
from portal.api.permissions import IsPartnerMember
from portal.api.schema import ERROR_RESPONSES

MAX_QUANTITY = 1_000_000


def money_field(**kwargs):
    """An amount: a decimal string with two places (every billing API shows money so)."""
    return serializers.DecimalField(max_digits=14, decimal_places=2, **kwargs)


def percent_field(**kwargs):
    return serializers.DecimalField(max_digits=5, decimal_places=2, **kwargs)


# --- input ------------------------------------------------------------------------------------


class SaleLineInputSerializer(InputSerializerMixin, serializers.Serializer):
    product = serializers.CharField(max_length=40, help_text="A catalogue product's code.")
    quantity = serializers.IntegerField(
        min_value=1, max_value=MAX_QUANTITY, help_text="Hosts or users, as the product counts."
    )


class SaleInputSerializer(InputSerializerMixin, serializers.Serializer):
    """What the preview, quotes and orders share."""

    billing_period = serializers.ChoiceField(
        choices=BillingPeriod.choices, default=BillingPeriod.YEARLY
    )
    space = serializers.ChoiceField(
        choices=Space.choices,
        default=Space.RESELLER,
        help_text="reseller: for a customer, at your discount; personal: your own use, list price.",
    )
    deal = serializers.UUIDField(
        required=False, allow_null=True, default=None, help_text="Your approved deal's id."
    )
    customer_nonprofit = serializers.BooleanField(
        default=False, help_text="The customer is a charity, education or non-profit."
    )


class PreviewInputSerializer(SaleInputSerializer):
    product = serializers.CharField(
        max_length=40, required=False, help_text="One product (or give lines)."
    )
    quantity = serializers.IntegerField(min_value=1, max_value=MAX_QUANTITY, required=False)
    lines = SaleLineInputSerializer(many=True, required=False, max_length=50, min_length=1)
    customer_country = serializers.CharField(
        min_length=2,
        max_length=2,
        required=False,
        help_text="The end customer's country (two-letter ISO 3166 code), for a customer sale.",
    )
    reseller = serializers.UUIDField(
        required=False,
        allow_null=True,
        default=None,
        help_text="Distributors: preview a sale for this attached reseller.",
    )

    def validate(self, attrs):
        if not attrs.get("lines") and not attrs.get("product"):
            raise serializers.ValidationError({"product": ["Give a product, or lines."]})
        if attrs.get("product") and attrs.get("quantity") is None and not attrs.get("lines"):
            raise serializers.ValidationError({"quantity": ["Give the quantity."]})
        if attrs.get("space") == Space.RESELLER and not attrs.get("customer_country"):
            raise serializers.ValidationError(
                {"customer_country": ["Give the end customer's country."]}
            )
        return attrs


# --- output -----------------------------------------------------------------------------------


# A quote's lines show the same fields (billing.api.quotes.QuoteLineSerializer).
class PricedLineSerializer(serializers.Serializer):
    product = serializers.CharField(source="product.code")
    product_name = serializers.CharField(source="product.name")
    quantity = serializers.IntegerField()
    unit_price = serializers.DecimalField(
        max_digits=16, decimal_places=4, help_text="Per unit and billing period."
    )
    list_amount = money_field()
    charity_discount_percent = percent_field()
    charity_discount = money_field()
    gross_amount = money_field(
        help_text="List less the charity discount: the customer's price, what counts for tiers."
    )
    partner_discount_percent = percent_field()
    partner_discount = money_field()
    discount_rule = serializers.CharField(help_text="The rule that gave the discount.")
    credit_applied = money_field()
    credited_discount = money_field(
        help_text="A first sale's discount, not given but credited to the partner's balance."
    )
    net_amount = money_field(help_text="Before tax.")
    tax_rate = percent_field()
    tax = money_field()
    total = money_field()


class DistributorLayerSerializer(serializers.Serializer):
    """The vendor's price to the distributor (shown to the distributor only)."""

    distributor = serializers.CharField(source="distributor.name")
    partner_discount_percent = serializers.SerializerMethodField()
    partner_discount = money_field(source="distributor_discount")
    net_amount = money_field(source="distributor_net")
    tax_rate = percent_field(source="distributor_tax.rate")
    tax_kind = serializers.CharField(source="distributor_tax.kind")
    tax = money_field(source="distributor_tax_amount")
    total = money_field(source="distributor_total")
    margin = serializers.SerializerMethodField(
        help_text="What the distributor keeps: the reseller's net less its own."
    )

    def get_partner_discount_percent(self, pricing) -> str:
        percents = {line.distributor_discount_percent for line in pricing.lines}
        return f"{percents.pop():.2f}" if len(percents) == 1 else ""

    def get_margin(self, pricing) -> str:
        return f"{pricing.net_amount - pricing.distributor_net:.2f}"


class PricingSerializer(serializers.Serializer):
    currency = serializers.CharField()
    billing_period = serializers.CharField()
    space = serializers.CharField()
    engagement_model = serializers.CharField(
        help_text="The deal's engagement model, or late_involvement without one."
    )
    list_amount = money_field()
    charity_discount = money_field()
    gross_amount = money_field(help_text="List less the charity discount: what counts for tiers.")
    partner_discount_percent = percent_field()
    partner_discount = money_field()
    discount_rule = serializers.CharField()
    credit_applied = money_field()
    net_amount = money_field(help_text="Before tax.")
    tax_rate = percent_field(source="tax.rate")
    tax_kind = serializers.CharField(
        source="tax.kind", help_text="domestic, reverse_charge, eu_no_vat_number or export."
    )
    tax_mention = serializers.CharField(source="tax.mention")
    tax = money_field(source="tax_amount")
    total = money_field()
    supplied_by = serializers.CharField(
        source="distributor.name",
        allow_null=True,
        default=None,
        help_text="The distributor you buy through (two-tier), if any.",
    )
    lines = PricedLineSerializer(many=True)
    notes = serializers.ListField(child=serializers.CharField())


class DistributorPricingSerializer(PricingSerializer):
    distributor_layer = DistributorLayerSerializer(source="*")


def pricing_data(pricing: Pricing, *, as_distributor: bool) -> dict:
    """The preview as the caller may read it: both layers for the distributor only."""
    if as_distributor and pricing.distributor is not None:
        return DistributorPricingSerializer(pricing).data
    return PricingSerializer(pricing).data


# --- the view ---------------------------------------------------------------------------------


class PricingPreviewView(APIView):
    """The caller's own sale, or (distributors) a sale for an attached reseller."""

    permission_classes = [IsPartnerMember]
    roles_by_action = {"post": roles.ALL}

    @extend_schema(
        summary="Preview a sale's price, every step of the engine",
        request=PreviewInputSerializer,
        responses={200: DistributorPricingSerializer, **ERROR_RESPONSES(400, 401, 403, 404)},
    )
    def post(self, request):
        serializer = PreviewInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        pricing, as_distributor = pricing_preview(
            organisation=request._request.caller.organisation,
            data=dict(serializer.validated_data),
        )
        return Response(pricing_data(pricing, as_distributor=as_distributor))


urlpatterns = [
    path("pricing/preview", PricingPreviewView.as_view(), name="pricing-preview"),
]
