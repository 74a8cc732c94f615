"""API route: NFR / internal-use licences (SPEC §3.7), under the "licences" section.

``GET /licences/nfr`` says whether the organisation gets complimentary NFR licences and
lists the ones it holds; ``POST`` issues one (code ``nfr_not_eligible`` for a type that
does not get them: such licences are billed at list price until it does). The rules are in
licensing/services/nfr.py, shared with the page.
"""

from django.urls import path
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from licensing.models import Licence
from licensing.selectors.nfr import nfr_eligibility, nfr_licences_for
from licensing.services.nfr import nfr_request
from partners import roles
from portal.api.fields import InputSerializerMixin
from portal.api.permissions import IsPartnerMember
from portal.api.schema import ERROR_RESPONSES

#: The NFR licences listed with the eligibility (the newest; the licences API lists all).
LISTED = 50


class NfrLicenceSerializer(serializers.ModelSerializer):
    product = serializers.CharField(source="product_code", read_only=True)

    class Meta:
        model = Licence
        fields = [
            "id",
            "product",
            "product_name",
            "quantity",
            "status",
            "starts_on",
            "ends_on",
            "created_at",
        ]
        read_only_fields = fields


class NfrOverviewSerializer(serializers.Serializer):
    organisation = serializers.CharField(help_text="Your organisation's name.")
    eligible = serializers.BooleanField()
    message = serializers.CharField()
    licences = NfrLicenceSerializer(many=True)


class NfrRequestSerializer(InputSerializerMixin, serializers.Serializer):
    product = serializers.CharField(
        max_length=40, help_text="A product code of your programme's catalogue, e.g. pro."
    )
    quantity = serializers.IntegerField(min_value=1, max_value=100000)


class NfrView(APIView):
    """The caller's own organisation only (its eligibility and its NFR licences)."""

    permission_classes = [IsPartnerMember]
    roles_by_action = {"post": roles.MANAGE_LICENCES}

    @extend_schema(
        summary="Whether the organisation gets complimentary NFR licences, and its NFR licences",
        responses={200: NfrOverviewSerializer, **ERROR_RESPONSES(401, 403)},
    )
    def get(self, request):
        organisation = request._request.caller.organisation
        eligibility = nfr_eligibility(organisation=organisation)
        return Response(
            NfrOverviewSerializer(
                {
                    "organisation": organisation.name,
                    "eligible": eligibility.eligible,
                    "message": eligibility.message,
                    "licences": nfr_licences_for(organisation=organisation)[:LISTED],
                }
            ).data
        )

    @extend_schema(
        summary="Request a complimentary NFR licence (one year, for internal use)",
        description="A partner type without complimentary NFR licences gets 400 with the "
        "code `nfr_not_eligible`: until it is eligible, internal-use licences are billed "
        "at list price. One running NFR licence per product (409 `nfr_exists`).",
        request=NfrRequestSerializer,
        responses={201: NfrLicenceSerializer, **ERROR_RESPONSES(400, 401, 403, 409)},
    )
    def post(self, request):
        serializer = NfrRequestSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        caller = request._request.caller
        licence = nfr_request(
            actor=request.user,
            organisation=caller.organisation,
            role=caller.role,
            **serializer.validated_data,
        )
        return Response(NfrLicenceSerializer(licence).data, status=status.HTTP_201_CREATED)


urlpatterns = [path("licences/nfr", NfrView.as_view(), name="licences-nfr")]
