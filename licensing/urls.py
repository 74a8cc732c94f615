"""Pages of the licensing app (namespace "licensing"): the reseller-space pages under
/space/ and the end customer's pages (no account) under /licence/. Each area keeps its own
lists in licensing/views/<area>.py."""

from django.urls import include, path

from licensing.views import binding, catalogue, internal_use, licences, redemption, trials

app_name = "licensing"

space_urlpatterns: list = [
    *catalogue.urlpatterns,
    *licences.urlpatterns,
    *trials.urlpatterns,
    *internal_use.urlpatterns,
    *binding.urlpatterns,
]

urlpatterns = [
    *redemption.public_urlpatterns,
    path("space/", include(space_urlpatterns)),
]
