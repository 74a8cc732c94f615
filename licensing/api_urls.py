"""The licensing app's API routes; each area keeps its own list in licensing/api/<area>.py."""

urlpatterns: list = []
