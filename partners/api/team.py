"""API routes: team."""

urlpatterns: list = []
