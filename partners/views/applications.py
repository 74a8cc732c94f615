"""Pages: applications."""

urlpatterns: list = []
