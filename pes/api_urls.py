"""The engagement app's API routes: /api/v1/pes/... and /api/v1/tier-status."""

from pes.api import engagement, status

urlpatterns = [*engagement.urlpatterns, *status.urlpatterns]
