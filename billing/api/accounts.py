"""API route: the organisation's billing account (SPEC §3.5), the party invoiced.

``GET /api/v1/billing/account``: every member reads it (404 before there is one: pricing
then uses the organisation's country and no VAT number). ``PUT``: administrators and
finance create or replace it; a VAT number given but invalid is a 400 on ``vat_number``.
"""

from django.urls import path
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from billing.models import BillingAccount
from billing.selectors.accounts import billing_account_for
from billing.services.accounts import billing_account_update
from partners import roles
from portal.api.fields import InputSerializerMixin
from portal.api.permissions import IsPartnerMember
from portal.api.schema import ERROR_RESPONSES
from portal.errors import NotFound


class BillingAccountSerializer(serializers.ModelSerializer):
    country = serializers.CharField(source="country.code")
    # Text, not an email field: an account without an invoice address answers "".
    invoice_email = serializers.CharField(help_text="Where invoices are sent; empty: none.")

    class Meta:
        model = BillingAccount
        fields = [
            "legal_name",
            "address",
            "country",
            "vat_number",
            "vat_number_valid",
            "invoice_email",
            "updated_at",
        ]
        read_only_fields = fields


class BillingAccountInputSerializer(InputSerializerMixin, serializers.Serializer):
    legal_name = serializers.CharField(max_length=200)
    address = serializers.CharField(max_length=1000, required=False, allow_blank=True)
    country = serializers.CharField(
        min_length=2, max_length=2, help_text="Two-letter ISO 3166 code, such as DE."
    )
    vat_number = serializers.CharField(
        max_length=40,
        required=False,
        allow_blank=True,
        help_text="EU VAT number with its country prefix (DE136695976); checked, stored compact.",
    )
    invoice_email = serializers.EmailField(max_length=254, required=False, allow_blank=True)


class BillingAccountView(APIView):
    permission_classes = [IsPartnerMember]
    roles_by_action = {"get": roles.ALL, "put": roles.VIEW_INVOICES}
    http_method_names = ["get", "put", "options"]

    @extend_schema(
        summary="Your billing account: who is invoiced, and its VAT number",
        responses={200: BillingAccountSerializer, **ERROR_RESPONSES(401, 403, 404)},
    )
    def get(self, request):
        account = billing_account_for(organisation=request._request.caller.organisation)
        if account is None:
            raise NotFound(
                "No billing account yet: you are invoiced at your organisation's country, "
                "without a VAT number.",
                code="no_billing_account",
            )
        return Response(BillingAccountSerializer(account).data)

    @extend_schema(
        summary="Set your billing account (administrators and finance)",
        request=BillingAccountInputSerializer,
        responses={200: BillingAccountSerializer, **ERROR_RESPONSES(400, 401, 403)},
    )
    def put(self, request):
        serializer = BillingAccountInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        caller = request._request.caller
        account = billing_account_update(
            organisation=caller.organisation,
            actor=request.user,
            role=caller.role,
            data=dict(serializer.validated_data),
        )
        return Response(BillingAccountSerializer(account).data)


urlpatterns = [
    path("billing/account", BillingAccountView.as_view(), name="billing-account"),
]
