"""The partners app's API routes; each area keeps its own list in partners/api/<area>.py."""

from partners.api import (
    activity,
    applications,
    contact,
    directory,
    marketing,
    me,
    sessions,
    team,
    training,
)

urlpatterns = [
    *me.urlpatterns,
    *applications.urlpatterns,
    *team.urlpatterns,
    *directory.urlpatterns,
    *training.urlpatterns,
    *activity.urlpatterns,
    *contact.urlpatterns,
    *marketing.urlpatterns,
    *sessions.urlpatterns,
]
