"""API route: the contact requests visitors sent through the locator."""

from django.urls import path
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, serializers

from partners import roles
from partners.models import ContactRequest
from portal.api.schema import ERROR_RESPONSES
from portal.api.viewsets import TenantViewSet


class ContactRequestSerializer(serializers.ModelSerializer):
    class Meta:
        model = ContactRequest
        fields = ["id", "name", "email", "company", "message", "created_at", "read_at"]
        read_only_fields = fields


@extend_schema_view(
    list=extend_schema(
        summary="What visitors wrote through the partner locator, newest first",
        responses={200: ContactRequestSerializer, **ERROR_RESPONSES(403, 404)},  # 404: page
    ),
)
class ContactRequestViewSet(mixins.ListModelMixin, TenantViewSet):
    tenant_queryset = ContactRequest.objects.all()
    serializer_class = ContactRequestSerializer
    roles_by_action = {"*": roles.VIEW_CONTACT_REQUESTS}

    def refine_queryset(self, queryset):
        return queryset.order_by("-created_at", "-id")


urlpatterns = [
    path(
        "contact-requests",
        ContactRequestViewSet.as_view({"get": "list"}),
        name="contact-requests-list",
    ),
]
