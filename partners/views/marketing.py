"""Pages: the marketing center. Every member browses the assets their programme, type and
tier may see (partners.selectors.marketing.assets_visible_to) and downloads them; each
download is counted for the organisation."""

from django.shortcuts import render
from django.urls import path
from django.views.decorators.http import require_safe

from partners import roles
from partners.models import MarketingAsset
from partners.selectors.marketing import AssetFilterSet, asset_for, asset_list
from partners.services.marketing import asset_download_record
from portal.files import private_file_response
from portal.pagination import filtered_page
from portal.tenancy.access import member_required

_FILTERS = ("kind", "search")


@member_required(roles=roles.USE_MARKETING)
@require_safe
def asset_browse(request):
    filterset = AssetFilterSet(
        request.GET, queryset=asset_list(organisation=request.caller.organisation), request=request
    )
    listing = filtered_page(request, filterset, filters=_FILTERS)
    return render(
        request,
        "partners/marketing/list.html",
        {
            **listing,
            "assets": listing["page_obj"].object_list,
            "kinds": MarketingAsset.Kind.choices,
        },
    )


@member_required(roles=roles.USE_MARKETING)
@require_safe
def asset_detail(request, asset_id):
    asset = asset_for(organisation=request.caller.organisation, asset_id=asset_id)
    return render(request, "partners/marketing/detail.html", {"asset": asset})


@member_required(roles=roles.USE_MARKETING)
@require_safe
def asset_download(request, asset_id):
    """The file as an attachment, counted; an asset the organisation may not see is 404."""
    organisation = request.caller.organisation
    asset = asset_for(organisation=organisation, asset_id=asset_id)
    asset_download_record(organisation=organisation, asset=asset)
    return private_file_response(
        asset.file, filename=asset.original_name, content_type=asset.content_type
    )


urlpatterns = [
    path("marketing/", asset_browse, name="marketing"),
    path("marketing/<uuid:asset_id>/", asset_detail, name="marketing_asset"),
    path("marketing/<uuid:asset_id>/download/", asset_download, name="marketing_download"),
]
