"""Pages: profile."""

urlpatterns: list = []
