"""Marketing center routes. Assets are programme data, shown by partner type and tier
(partners.selectors.marketing.assets_visible_to): each tenant's asset is made for its own
partner type only, so another tenant never lists it and gets 404 for its URLs. The
download counts are tenant data: a download changes the caller's own count only."""

from tests.partners.factories_marketing import asset_of
from tests.routes.cases import TenantCollection, TenantObject

_COUNTED = frozenset({"partners_assetdownload"})

ROUTES: dict[str, object] = {
    "api:assets-list": TenantCollection("/api/v1/assets", make=asset_of),
    "api:assets-download": TenantObject(
        "/api/v1/assets/{id}/download", make=asset_of, counted_reads=_COUNTED
    ),
    "partners:marketing": TenantCollection("/space/marketing/", make=asset_of),
    "partners:marketing_asset": TenantObject("/space/marketing/{id}/", make=asset_of),
    "partners:marketing_download": TenantObject(
        "/space/marketing/{id}/download/", make=asset_of, counted_reads=_COUNTED
    ),
}
