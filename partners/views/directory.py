"""Pages: directory."""

urlpatterns: list = []
