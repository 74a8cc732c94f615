"""API routes: invoices and credit notes (SPEC §3.10).

``/invoices`` lists the caller's invoices and credit notes, newest first (filters: kind,
payment, issued_after/issued_before, search; ordering; pages); ``/invoices/{id}`` reads
one with its lines and the wire transfer's details; ``/invoices/{id}/pdf`` downloads its
Factur-X PDF (409 ``pdf_not_ready`` while it renders). Only the owner's administrators and
finance members read them; another organisation's answers 404.
"""

from __future__ import annotations

from django.urls import path
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiResponse,
    extend_schema,
    extend_schema_field,
    extend_schema_view,
)
from rest_framework import mixins, serializers
from rest_framework.response import Response

from billing.api.pricing import money_field, percent_field
from billing.models import Invoice, InvoiceLine
from billing.selectors.invoices import (
    InvoiceFilterSet,
    invoice_document_file,
    invoice_document_status,
    with_payment_state,
)
from partners import roles
from portal.api.schema import ERROR_RESPONSES
from portal.api.viewsets import TenantViewSet
from portal.errors import Conflict
from portal.files import private_file_response
from portal.vendor.selectors import current_vendor


class InvoiceLineSerializer(serializers.ModelSerializer):
    product = serializers.CharField(source="product_code")
    list_amount = money_field(read_only=True)
    gross_amount = money_field(read_only=True)
    partner_discount_percent = percent_field(read_only=True)
    partner_discount = money_field(read_only=True)
    credit_applied = money_field(read_only=True)
    net_amount = money_field(read_only=True)
    tax_rate = percent_field(read_only=True)
    tax = money_field(read_only=True)
    total = money_field(read_only=True)

    class Meta:
        model = InvoiceLine
        fields = [
            "position",
            "product",
            "description",
            "quantity",
            "unit_price",
            "list_amount",
            "gross_amount",
            "partner_discount_percent",
            "partner_discount",
            "credit_applied",
            "net_amount",
            "tax_rate",
            "tax",
            "total",
        ]
        read_only_fields = fields


class InvoiceSerializer(serializers.ModelSerializer):
    buyer_country = serializers.CharField(source="buyer_country.code")
    customer_country = serializers.CharField(source="customer_country.code")
    order = serializers.CharField(
        source="order.reference", allow_null=True, default=None, help_text="The order's reference."
    )
    credited_invoice = serializers.CharField(
        source="credited_invoice.reference",
        allow_null=True,
        default=None,
        help_text="Credit notes: the invoice they correct.",
    )
    payment_state = serializers.ChoiceField(
        choices=["paid", "unpaid", "overdue", "credit_note"],
        help_text="overdue: unpaid after its due date; credit notes are never paid.",
    )
    pdf_status = serializers.SerializerMethodField(
        help_text="pending while the PDF is being generated, then ready (or failed)."
    )
    list_amount = money_field(read_only=True)
    gross_amount = money_field(
        read_only=True, help_text="Before partner discount and tax: what counts for tiers."
    )
    partner_discount = money_field(read_only=True)
    credit_applied = money_field(read_only=True)
    net_amount = money_field(read_only=True)
    tax = money_field(read_only=True)
    total = money_field(read_only=True)
    tax_rate = percent_field(read_only=True)
    gross_usd = money_field(read_only=True)

    class Meta:
        model = Invoice
        fields = [
            "id",
            "reference",
            "kind",
            "purpose",
            "issued_on",
            "due_on",
            "payment_state",
            "pdf_status",
            "order",
            "period_start",
            "period_end",
            "credited_invoice",
            "reason",
            "buyer_name",
            "buyer_country",
            "buyer_vat_number",
            "customer_name",
            "customer_country",
            "currency",
            "list_amount",
            "gross_amount",
            "partner_discount",
            "credit_applied",
            "net_amount",
            "tax_kind",
            "tax_rate",
            "tax_mention",
            "tax",
            "total",
            "usd_rate",
            "gross_usd",
        ]
        read_only_fields = fields

    def get_pdf_status(self, invoice) -> str:
        return invoice_document_status(invoice)


class WireTransferSerializer(serializers.Serializer):
    beneficiary = serializers.CharField()
    bank = serializers.CharField()
    iban = serializers.CharField()
    bic = serializers.CharField()
    reference = serializers.CharField(help_text="Write it on the transfer.")


class InvoiceDetailSerializer(InvoiceSerializer):
    lines = InvoiceLineSerializer(many=True, read_only=True)
    wire_transfer = serializers.SerializerMethodField()

    class Meta(InvoiceSerializer.Meta):
        fields = [*InvoiceSerializer.Meta.fields, "lines", "wire_transfer"]
        read_only_fields = fields

    @extend_schema_field(WireTransferSerializer(allow_null=True))
    def get_wire_transfer(self, invoice) -> dict | None:
        """Where and how to pay an invoice (none for a credit note)."""
        if invoice.is_credit_note:
            return None
        vendor = current_vendor()
        return {
            "beneficiary": vendor.legal_name,
            "bank": vendor.bank_name,
            "iban": vendor.iban,
            "bic": vendor.bic,
            "reference": invoice.payment_reference,
        }


_PDF = {
    (200, "application/pdf"): OpenApiResponse(
        OpenApiTypes.BINARY, description="The Factur-X PDF (PDF/A-3 with its EN 16931 XML)."
    ),
    **ERROR_RESPONSES(403, 404, 409),
}


@extend_schema_view(
    list=extend_schema(
        summary="Your invoices and credit notes, newest first (filters, search)",
        responses={200: InvoiceSerializer, **ERROR_RESPONSES(400, 403)},
    ),
    retrieve=extend_schema(
        summary="One invoice or credit note with its lines and how to pay it",
        responses={200: InvoiceDetailSerializer, **ERROR_RESPONSES(403, 404)},
    ),
)
class InvoiceViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, TenantViewSet):
    tenant_queryset = Invoice.objects.select_related("document", "order", "credited_invoice")
    serializer_class = InvoiceSerializer
    filterset_class = InvoiceFilterSet
    roles_by_action = {"*": roles.VIEW_INVOICES}

    def refine_queryset(self, queryset):
        queryset = with_payment_state(queryset.owned_by(self.organisation))
        if self.action == "retrieve":
            queryset = queryset.prefetch_related("lines")
        return queryset.order_by("-issued_on", "-series", "-number")

    def retrieve(self, request, *args, **kwargs):
        return Response(InvoiceDetailSerializer(self.get_object()).data)

    @extend_schema(summary="Download the invoice's PDF (Factur-X)", responses=_PDF)
    def pdf(self, request, id=None):
        invoice = self.get_object()
        found = invoice_document_file(invoice)
        if found is None:
            status = invoice_document_status(invoice)
            raise Conflict(
                f"The invoice's PDF is {'being generated' if status == 'pending' else status}: "
                "try again in a moment.",
                code="pdf_failed" if status == "failed" else "pdf_not_ready",
            )
        file, filename = found
        return private_file_response(file, filename=filename, content_type="application/pdf")


def _route(suffix: str, actions: dict, name: str):
    return path(f"invoices/<uuid:id>{suffix}", InvoiceViewSet.as_view(actions), name=name)


urlpatterns = [
    path("invoices", InvoiceViewSet.as_view({"get": "list"}), name="invoices-list"),
    _route("", {"get": "retrieve"}, "invoices-detail"),
    _route("/pdf", {"get": "pdf"}, "invoices-pdf"),
]
