"""The engagement app's API routes (under /api/v1/pes/)."""

from pes.api import engagement

urlpatterns = [*engagement.urlpatterns]
