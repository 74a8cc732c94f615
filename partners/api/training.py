"""API routes: training."""

urlpatterns: list = []
