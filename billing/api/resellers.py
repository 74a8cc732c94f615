"""API routes for distributors (SPEC §1 two-tier): the resellers attached to the caller
and the discount off list each gets from it.

``GET /api/v1/resellers`` (every member of a distributor), ``PUT
/api/v1/resellers/{id}/discount`` and ``PUT /api/v1/resellers/default-discount``
(administrators). Other partners get 403; a reseller not attached to the caller, 404.
"""

from django.urls import path
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.generics import GenericAPIView
from rest_framework.response import Response

from billing.selectors.resellers import (
    attached_resellers,
    resale_discounts,
    reseller_terms,
)
from billing.services.reseller_terms import (
    SET_DISCOUNTS,
    require_distributor,
    reseller_discount_set,
)
from partners import roles
from partners.models import Organisation
from portal.api.fields import InputSerializerMixin
from portal.api.permissions import IsPartnerMember
from portal.api.schema import ERROR_RESPONSES

_PERCENT = {"max_digits": 5, "decimal_places": 2}


class ResellerTermsSerializer(serializers.Serializer):
    id = serializers.UUIDField(source="reseller.pk")
    name = serializers.CharField(source="reseller.name")
    country = serializers.CharField(source="reseller.country.code")
    tier = serializers.IntegerField(source="reseller.tier.level", allow_null=True, default=None)
    discount_percent = serializers.DecimalField(source="percent", **_PERCENT)
    is_default = serializers.BooleanField(
        help_text="True: no discount of its own; it gets your default."
    )


class DiscountInputSerializer(InputSerializerMixin, serializers.Serializer):
    percent = serializers.DecimalField(
        min_value=0, max_value=100, help_text="Off list, from 0 to 100.", **_PERCENT
    )


class DefaultDiscountSerializer(serializers.Serializer):
    discount_percent = serializers.DecimalField(**_PERCENT)


class _DistributorView(GenericAPIView):
    permission_classes = [IsPartnerMember]

    def distributor(self, request):
        organisation = request._request.caller.organisation
        require_distributor(organisation)
        return organisation

    def set_discount(self, request, *, reseller_id=None):
        distributor = self.distributor(request)  # a non-distributor is refused before any check
        serializer = DiscountInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        return reseller_discount_set(
            distributor=distributor,
            actor=request.user,
            role=request._request.caller.role,
            reseller=reseller_id,
            percent=serializer.validated_data["percent"],
        )


class ResellerListView(_DistributorView):
    roles_by_action = {"get": roles.ALL}
    # For the schema's paging parameters only: the list is attached_resellers(caller).
    queryset = Organisation.objects.none()

    @extend_schema(
        summary="Your attached resellers and the discount each gets (distributors)",
        responses={200: ResellerTermsSerializer(many=True), **ERROR_RESPONSES(401, 403)},
    )
    def get(self, request):
        distributor = self.distributor(request)
        page = self.paginate_queryset(attached_resellers(distributor=distributor))
        terms = reseller_terms(resellers=page, discounts=resale_discounts(distributor=distributor))
        return self.get_paginated_response(ResellerTermsSerializer(terms, many=True).data)


class ResellerDiscountView(_DistributorView):
    roles_by_action = {"put": SET_DISCOUNTS}
    http_method_names = ["put", "options"]

    @extend_schema(
        summary="Set the discount one attached reseller gets (distributor administrators)",
        request=DiscountInputSerializer,
        responses={200: ResellerTermsSerializer, **ERROR_RESPONSES(400, 401, 403, 404)},
    )
    def put(self, request, reseller_id):
        row = self.set_discount(request, reseller_id=reseller_id)
        terms = reseller_terms(resellers=[row.reseller], discounts={row.reseller_id: row.percent})
        return Response(ResellerTermsSerializer(terms[0]).data)


class DefaultDiscountView(_DistributorView):
    roles_by_action = {"put": SET_DISCOUNTS}
    http_method_names = ["put", "options"]

    @extend_schema(
        summary="Set the default discount of resellers without their own (distributor "
        "administrators)",
        request=DiscountInputSerializer,
        responses={200: DefaultDiscountSerializer, **ERROR_RESPONSES(400, 401, 403)},
    )
    def put(self, request):
        row = self.set_discount(request)
        return Response(DefaultDiscountSerializer({"discount_percent": row.percent}).data)


urlpatterns = [
    path("resellers", ResellerListView.as_view(), name="resellers"),
    path("resellers/default-discount", DefaultDiscountView.as_view(), name="resellers-default"),
    path(
        "resellers/<uuid:reseller_id>/discount",
        ResellerDiscountView.as_view(),
        name="resellers-discount",
    ),
]
