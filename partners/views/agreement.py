"""Pages: agreement."""

urlpatterns: list = []
