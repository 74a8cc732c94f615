from django.urls import path

from partners import api

urlpatterns = [
    path("me", api.MeView.as_view(), name="me"),
]
