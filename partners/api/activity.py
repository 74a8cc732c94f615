"""API route: the organisation's activity (its audit trail), for its administrators."""

from django.urls import path
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, serializers

from partners import roles
from portal.api.schema import ERROR_RESPONSES
from portal.api.viewsets import TenantViewSet
from portal.audit.selectors import actor_for_partner
from portal.models import AuditEvent


class ActivityObjectSerializer(serializers.Serializer):
    type = serializers.CharField(source="content_type.model", help_text="membership, …")
    id = serializers.CharField(source="object_id")
    name = serializers.CharField(source="object_repr", help_text="As it was named then.")


class ActivitySerializer(serializers.ModelSerializer):
    actor = serializers.SerializerMethodField(
        help_text="A member's name, 'Channel team' or 'System'."
    )
    object = ActivityObjectSerializer(source="*", read_only=True)

    class Meta:
        model = AuditEvent
        # No event id: it is a platform-wide sequence and tells a partner nothing.
        fields = ["at", "actor", "action", "object", "summary"]
        read_only_fields = fields

    def get_actor(self, event) -> str:
        return actor_for_partner(event)


@extend_schema_view(
    list=extend_schema(
        summary="The organisation's activity, newest first (administrators)",
        responses={200: ActivitySerializer, **ERROR_RESPONSES(403, 404)},  # 404: no such page
    ),
)
class ActivityViewSet(mixins.ListModelMixin, TenantViewSet):
    tenant_queryset = AuditEvent.objects.select_related("actor", "content_type")
    serializer_class = ActivitySerializer
    roles_by_action = {"*": roles.VIEW_ACTIVITY}

    def refine_queryset(self, queryset):
        return queryset.order_by("-at", "-id")


urlpatterns = [
    path("activity", ActivityViewSet.as_view({"get": "list"}), name="activity-list"),
]
