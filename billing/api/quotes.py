"""API routes: quotes (SPEC §3.10), in the reseller space.

``/quotes`` lists (filters status and search, pages) and creates; ``/quotes/{id}`` reads
one with its lines priced like the preview's; ``/send`` emails the customer the link to
sign, ``/convert`` makes the one order at the quoted prices (``Idempotency-Key`` header
honoured), ``/cancel``; ``/pdf`` and ``/customer-pdf`` download the partner's and the
customer's documents (409 ``pdf_not_ready`` while they render). Every member reads; admins
and sales write (partners.roles.BUY). A distributor reads the quotes made through it.
"""

from __future__ import annotations

from django.urls import path
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import mixins, serializers, status
from rest_framework.response import Response

from billing.api.pricing import (
    PricedLineSerializer,
    SaleInputSerializer,
    SaleLineInputSerializer,
)
from billing.models import Order, Quote
from billing.selectors.quotes import QuoteFilterSet, quote_document, quote_order
from billing.services.documents import PRICED_AMOUNT_FIELDS
from billing.services.quotes import (
    MAX_NOTES,
    quote_cancel,
    quote_convert,
    quote_create,
    quote_is_expired,
    quote_send_to_customer,
)
from partners import roles
from portal.api.schema import ERROR_RESPONSES
from portal.api.viewsets import TenantViewSet
from portal.errors import Conflict
from portal.files import private_file_response

# --- representations -----------------------------------------------------------------------


class QuoteLineSerializer(PricedLineSerializer):
    """A line as quoted: the preview's line, from the stored amounts."""

    def get_fields(self):
        fields = super().get_fields()
        # A stored line keeps the product's code and name as they were when it was priced
        # (replaced in place, so the fields keep the preview's order).
        fields["product"] = serializers.CharField(source="product_code")
        fields["product_name"] = serializers.CharField()
        return fields


class QuoteSignatureSerializer(serializers.Serializer):
    status = serializers.SerializerMethodField(
        help_text="not_sent, awaiting (sent, not signed) or signed."
    )
    sent_at = serializers.DateTimeField()
    signed_name = serializers.CharField()
    signed_at = serializers.DateTimeField()

    def get_status(self, quote) -> str:
        if quote.signed_at is not None:
            return "signed"
        return "awaiting" if quote.sent_at is not None else "not_sent"


class QuoteSerializer(serializers.ModelSerializer):
    customer_country = serializers.CharField(
        source="customer_country.code", help_text="Two-letter ISO 3166 code."
    )
    expired = serializers.SerializerMethodField(help_text="Past its valid_until date.")
    signature = QuoteSignatureSerializer(source="*")
    order = serializers.SerializerMethodField(help_text="The order's id once converted.")
    supplied_by = serializers.CharField(
        source="distributor.name",
        allow_null=True,
        default=None,
        help_text="The distributor it is bought through (two-tier), if any.",
    )

    class Meta:
        model = Quote
        fields = [
            "id",
            "reference",
            "status",
            "expired",
            "valid_until",
            "customer_name",
            "customer_country",
            "customer_email",
            "customer_nonprofit",
            "billing_period",
            "currency",
            "deal",
            "engagement_model",
            *PRICED_AMOUNT_FIELDS,
            "supplied_by",
            "pdf_status",
            "signature",
            "order",
            "notes",
            "created_at",
        ]
        read_only_fields = fields

    def get_expired(self, quote) -> bool:
        return quote_is_expired(quote)

    def get_order(self, quote) -> str | None:
        order = quote_order(quote)
        return str(order.pk) if order else None


class QuoteDetailSerializer(QuoteSerializer):
    lines = QuoteLineSerializer(many=True)

    class Meta(QuoteSerializer.Meta):
        fields = [*QuoteSerializer.Meta.fields, "lines"]
        read_only_fields = fields


class QuoteOrderLineSerializer(QuoteLineSerializer):
    licence = serializers.UUIDField(source="licence_id", allow_null=True)

    def get_fields(self):
        fields = super().get_fields()
        # An order line credits nothing itself: a first sale's credit is the order's
        # ledger entry (GET /api/v1/credits).
        del fields["credited_discount"]
        return fields


class QuoteOrderSerializer(serializers.ModelSerializer):
    """The order a quote became, at its prices."""

    quote = serializers.UUIDField(source="quote_id")
    lines = QuoteOrderLineSerializer(many=True)

    class Meta:
        model = Order
        fields = [
            "id",
            "reference",
            "status",
            "quote",
            "customer_name",
            "currency",
            "list_amount",
            "gross_amount",
            "partner_discount",
            "net_amount",
            "tax",
            "total",
            "created_at",
            "lines",
        ]
        read_only_fields = fields


# --- input ------------------------------------------------------------------------------------


class QuoteCreateSerializer(SaleInputSerializer):
    space = None  # quotes are made in the reseller space only
    customer_name = serializers.CharField(max_length=200, help_text="The end customer's company.")
    customer_country = serializers.CharField(
        min_length=2, max_length=2, help_text="Two-letter ISO 3166 code, such as DE."
    )
    customer_email = serializers.EmailField(
        max_length=254, help_text="The customer contact's email: no anonymous sales."
    )
    lines = SaleLineInputSerializer(many=True, max_length=50, min_length=1)
    valid_until = serializers.DateField(
        required=False,
        allow_null=True,
        default=None,
        help_text="Earlier than the programme's validity (30 days for Vates), if you wish.",
    )
    notes = serializers.CharField(
        max_length=MAX_NOTES, required=False, allow_blank=True, default=""
    )


_DETAIL = {200: QuoteDetailSerializer, **ERROR_RESPONSES(400, 403, 404, 409)}
_PDF = {
    (200, "application/pdf"): OpenApiResponse(OpenApiTypes.BINARY, description="The PDF."),
    **ERROR_RESPONSES(403, 404, 409),
}


@extend_schema_view(
    list=extend_schema(
        summary="Your quotes, newest first (filters and search)",
        responses={200: QuoteSerializer, **ERROR_RESPONSES(400, 403, 404)},
    ),
    retrieve=extend_schema(
        summary="One quote with its priced lines",
        responses={200: QuoteDetailSerializer, **ERROR_RESPONSES(403, 404)},
    ),
)
class QuoteViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, TenantViewSet):
    tenant_queryset = Quote.objects.select_related("distributor", "order")
    serializer_class = QuoteSerializer
    filterset_class = QuoteFilterSet
    roles_by_action = {
        "create": roles.BUY,
        "send": roles.BUY,
        "convert": roles.BUY,
        "cancel": roles.BUY,
        "*": roles.ALL,
    }

    def refine_queryset(self, queryset):
        if self.action == "retrieve":
            queryset = queryset.prefetch_related("lines")
        return queryset.order_by("-created_at", "-id")

    def retrieve(self, request, *args, **kwargs):
        return Response(QuoteDetailSerializer(self.get_object()).data)

    def _role(self):
        return self.request._request.caller.role

    @extend_schema(
        summary="Make a quote for a named end customer",
        request=QuoteCreateSerializer,
        responses={201: QuoteDetailSerializer, **ERROR_RESPONSES(400, 403)},
    )
    def create(self, request):
        serializer = QuoteCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        data["lines"] = [dict(line) for line in data["lines"]]
        quote = quote_create(
            organisation=self.organisation, actor=request.user, role=self._role(), data=data
        )
        return Response(QuoteDetailSerializer(quote).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        summary="Email the customer the customer-facing quote to sign",
        request=None,
        responses=_DETAIL,
    )
    def send(self, request, id=None):
        quote = quote_send_to_customer(
            quote=self.get_object(), actor=request.user, role=self._role()
        )
        return Response(QuoteDetailSerializer(quote).data)

    @extend_schema(
        summary="Order the quote at its quoted prices (one order, ever)",
        request=None,
        responses={
            201: QuoteOrderSerializer,
            200: QuoteOrderSerializer,
            **ERROR_RESPONSES(400, 403, 404, 409),
        },
    )
    def convert(self, request, id=None):
        placed = quote_convert(
            quote=self.get_object(),
            actor=request.user,
            role=self._role(),
            idempotency_key=request.headers.get("Idempotency-Key", ""),
        )
        order = Order.objects.prefetch_related("lines").get(pk=placed.order.pk)
        return Response(
            QuoteOrderSerializer(order).data,
            status=status.HTTP_201_CREATED if placed.created else status.HTTP_200_OK,
        )

    @extend_schema(summary="Cancel the quote", request=None, responses=_DETAIL)
    def cancel(self, request, id=None):
        quote = quote_cancel(quote=self.get_object(), actor=request.user, role=self._role())
        return Response(QuoteDetailSerializer(quote).data)

    def _document(self, kind: str):
        quote = self.get_object()
        found = quote_document(quote=quote, kind=kind)
        if found is None:
            raise Conflict(
                f"The quote's PDF is {quote.get_pdf_status_display().lower()}: "
                "try again in a moment.",
                code="pdf_not_ready"
                if quote.pdf_status != Quote.PdfStatus.FAILED
                else "pdf_failed",
            )
        file, filename = found
        return private_file_response(file, filename=filename, content_type="application/pdf")

    @extend_schema(summary="Download your copy of the quote (PDF)", responses=_PDF)
    def pdf(self, request, id=None):
        return self._document("pdf")

    @extend_schema(summary="Download the customer-facing quote (PDF)", responses=_PDF)
    def customer_pdf(self, request, id=None):
        return self._document("customer-pdf")


def _route(suffix: str, actions: dict, name: str):
    return path(f"quotes/<uuid:id>{suffix}", QuoteViewSet.as_view(actions), name=name)


urlpatterns = [
    path("quotes", QuoteViewSet.as_view({"get": "list", "post": "create"}), name="quotes-list"),
    _route("", {"get": "retrieve"}, "quotes-detail"),
    _route("/send", {"post": "send"}, "quotes-send"),
    _route("/convert", {"post": "convert"}, "quotes-convert"),
    _route("/cancel", {"post": "cancel"}, "quotes-cancel"),
    _route("/pdf", {"get": "pdf"}, "quotes-pdf"),
    _route("/customer-pdf", {"get": "customer_pdf"}, "quotes-customer-pdf"),
]
