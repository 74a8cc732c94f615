"""API routes: the marketing center. Assets are programme data, not a tenant's rows: the
queryset is the caller's visible assets (partners.selectors.marketing.assets_visible_to),
with the caller's own download counts; a download is counted for the caller's
organisation."""

from django.urls import path
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import generics, serializers
from rest_framework.views import APIView

from partners import roles
from partners.models import MarketingAsset
from partners.selectors.marketing import AssetFilterSet, asset_for, asset_list
from partners.services.marketing import asset_download_record
from portal.api.permissions import IsPartnerMember
from portal.api.schema import ERROR_RESPONSES
from portal.files import private_file_response

_MEMBERS = {"*": roles.USE_MARKETING}


class AssetSerializer(serializers.ModelSerializer):
    downloaded = serializers.IntegerField(
        read_only=True, help_text="How many times your organisation downloaded it."
    )
    download_url = serializers.SerializerMethodField()

    class Meta:
        model = MarketingAsset
        fields = [
            "id",
            "title",
            "kind",
            "description",
            "original_name",
            "content_type",
            "size",
            "sha256",
            "updated_at",
            "downloaded",
            "download_url",
        ]
        read_only_fields = fields

    def get_download_url(self, asset) -> str:
        return f"/api/v1/assets/{asset.pk}/download"


class AssetListView(generics.ListAPIView):
    """The assets your programme, partner type and tier may see (filters: kind, search)."""

    permission_classes = [IsPartnerMember]
    roles_by_action = _MEMBERS
    serializer_class = AssetSerializer
    filterset_class = AssetFilterSet

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # drf-spectacular schema generation
            return MarketingAsset.objects.none()
        return asset_list(organisation=self.request._request.caller.organisation)

    @extend_schema(
        summary="Marketing assets for your partner type and tier",
        responses={200: AssetSerializer, **ERROR_RESPONSES(400, 401, 403, 404)},  # 404: page
    )
    def get(self, request, *args, **kwargs):
        return self.list(request, *args, **kwargs)


class AssetDownloadView(APIView):
    """One asset's file (an attachment), counted for your organisation; an asset your
    type or tier may not see is 404."""

    permission_classes = [IsPartnerMember]
    roles_by_action = _MEMBERS

    @extend_schema(
        summary="Download a marketing asset",
        responses={
            (200, "application/octet-stream"): OpenApiResponse(
                OpenApiTypes.BINARY, description="The asset's file (PDF, PNG, JPEG or ZIP)."
            ),
            **ERROR_RESPONSES(401, 403, 404),
        },
    )
    def get(self, request, id):
        organisation = request._request.caller.organisation
        asset = asset_for(organisation=organisation, asset_id=id)
        asset_download_record(organisation=organisation, asset=asset)
        return private_file_response(
            asset.file, filename=asset.original_name, content_type=asset.content_type
        )


urlpatterns = [
    path("assets", AssetListView.as_view(), name="assets-list"),
    path("assets/<uuid:id>/download", AssetDownloadView.as_view(), name="assets-download"),
]
