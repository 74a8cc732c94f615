"""Pages of the engagement app (namespace "pes"), under the reseller space."""

from django.urls import include, path

from pes import views

app_name = "pes"

urlpatterns = [path("space/", include(views.urlpatterns))]
