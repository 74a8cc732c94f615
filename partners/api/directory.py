"""API routes: directory."""

urlpatterns: list = []
