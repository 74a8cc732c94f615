"""Pages of the partners app (namespace "partners"): the public locator, application
form and invitations, and the reseller-space pages under /space/. Each area keeps its own
lists in partners/views/<area>.py."""

from django.urls import include, path

from partners.views import (
    activity,
    agreement,
    applications,
    contact,
    directory,
    marketing,
    profile,
    sessions,
    team,
    training,
)

app_name = "partners"

space_urlpatterns = [
    *agreement.urlpatterns,
    *team.urlpatterns,
    *profile.urlpatterns,
    *training.urlpatterns,
    *sessions.urlpatterns,
    *activity.urlpatterns,
    *contact.urlpatterns,
    *marketing.urlpatterns,
]

urlpatterns = [
    *applications.urlpatterns,
    *directory.urlpatterns,
    *team.public_urlpatterns,
    path("space/", include(space_urlpatterns)),
]
