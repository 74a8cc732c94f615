"""API routes: proofs of payment for an invoice (SPEC §3.10).

``/invoices/{id}/payment-proofs`` lists the invoice's proofs (GET) and uploads one (POST,
multipart with ``file`` and an optional ``note``). The file is checked by its content
(PDF, PNG or JPEG, at most ``PAYMENT_PROOF_MAX_BYTES``) by the same service as the page;
the channel team then marks the invoice paid or rejects the proof with a reason. The
invoiced organisation's administrators and finance people only; another organisation's
invoice answers 404."""

from __future__ import annotations

from django.conf import settings
from django.urls import path
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import serializers, status
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.response import Response

from billing.models import Invoice, PaymentProof
from billing.selectors.payments import payment_proofs_of
from billing.services.payments import NOTE_MAX, payment_proof_upload
from partners import roles
from portal.api.fields import InputSerializerMixin
from portal.api.parsers import JSONParser
from portal.api.schema import ERROR_RESPONSES
from portal.api.viewsets import TenantViewSet


class PaymentProofSerializer(serializers.ModelSerializer):
    invoice = serializers.UUIDField(source="invoice_id")
    content_type = serializers.CharField(
        help_text="What the content was found to be: application/pdf, image/png or image/jpeg."
    )
    status = serializers.CharField(help_text="submitted (awaiting review), accepted or rejected.")
    rejection_reason = serializers.CharField(help_text="Why the channel team rejected it.")

    class Meta:
        model = PaymentProof
        fields = [
            "id",
            "invoice",
            "status",
            "original_name",
            "content_type",
            "size",
            "sha256",
            "note",
            "uploaded_at",
            "reviewed_at",
            "rejection_reason",
        ]
        read_only_fields = fields


class PaymentProofUploadSerializer(InputSerializerMixin, serializers.Serializer):
    """Parses the request only; the file's checks are the service's."""

    file = serializers.FileField(
        help_text="Your bank's confirmation of the transfer: PDF, PNG or JPEG (checked by "
        f"its content), at most {settings.PAYMENT_PROOF_MAX_BYTES // (1024 * 1024)} MB."
    )
    note = serializers.CharField(
        required=False,
        allow_blank=True,
        default="",
        max_length=NOTE_MAX,
        help_text="For the channel team, such as the date of the transfer.",
    )


@extend_schema_view(
    list=extend_schema(
        summary="The invoice's proofs of payment, newest first",
        responses={200: PaymentProofSerializer(many=True), **ERROR_RESPONSES(403, 404)},
    ),
    create=extend_schema(
        summary="Upload proof of the wire transfer that pays the invoice",
        request={"multipart/form-data": PaymentProofUploadSerializer},
        responses={
            201: PaymentProofSerializer,
            **ERROR_RESPONSES(400, 403, 404, 409),
        },
    ),
)
class InvoicePaymentProofViewSet(TenantViewSet):
    tenant_queryset = Invoice.objects.all()
    serializer_class = PaymentProofSerializer
    roles_by_action = {"*": roles.VIEW_INVOICES}
    parser_classes = [MultiPartParser, FormParser, JSONParser]
    pagination_class = None  # a handful at most (billing.services.payments)

    def list(self, request, id=None):
        invoice = self.get_object()
        return Response(PaymentProofSerializer(payment_proofs_of(invoice), many=True).data)

    def create(self, request, id=None):
        invoice = self.get_object()
        serializer = PaymentProofUploadSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        proof = payment_proof_upload(
            organisation=self.organisation,
            actor=request.user,
            role=request._request.caller.role,
            invoice_id=invoice.pk,
            file=serializer.validated_data["file"],
            note=serializer.validated_data["note"],
        )
        return Response(PaymentProofSerializer(proof).data, status=status.HTTP_201_CREATED)


urlpatterns = [
    path(
        "invoices/<uuid:id>/payment-proofs",
        InvoicePaymentProofViewSet.as_view({"get": "list", "post": "create"}),
        name="invoices-payment-proofs",
    ),
]
