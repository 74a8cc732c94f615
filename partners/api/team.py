"""API routes: team members and invitations (SPEC §3.8).

``/members`` lists the organisation's people (every role) and invites one (POST, admins);
``/members/{id}`` reads, changes the role of (PATCH) or removes (DELETE, admins) one.
``/invitations`` lists the open invitations (admins); DELETE revokes one. The rules are in
partners/services/team.py, shared with the team page.
"""

from django.urls import path
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, serializers, status
from rest_framework.response import Response

from partners import roles
from partners.models import Invitation, Membership
from partners.selectors.team import invitation_status
from partners.services.team import (
    invitation_create,
    invitation_revoke,
    membership_change_role,
    membership_remove,
)
from portal.api.fields import InputSerializerMixin
from portal.api.schema import ERROR_RESPONSES
from portal.api.viewsets import TenantViewSet


class MemberSerializer(serializers.ModelSerializer):
    email = serializers.EmailField(source="user.email", read_only=True)
    full_name = serializers.CharField(source="user.full_name", read_only=True)
    joined_at = serializers.DateTimeField(source="created_at", read_only=True)

    class Meta:
        model = Membership
        fields = ["id", "email", "full_name", "role", "joined_at"]
        read_only_fields = fields


class MemberInviteSerializer(InputSerializerMixin, serializers.Serializer):
    email = serializers.EmailField(max_length=254)
    role = serializers.ChoiceField(choices=Membership.Role.choices)


class MemberRoleSerializer(InputSerializerMixin, serializers.Serializer):
    role = serializers.ChoiceField(choices=Membership.Role.choices)


class InvitationSerializer(serializers.ModelSerializer):
    status = serializers.SerializerMethodField(
        help_text="invited, or expired (send a new invitation)."
    )
    invited_by = serializers.EmailField(
        source="invited_by.email", read_only=True, allow_null=True, default=None
    )

    class Meta:
        model = Invitation
        fields = ["id", "email", "role", "status", "invited_by", "created_at", "expires_at"]
        read_only_fields = fields

    def get_status(self, invitation) -> str:
        return invitation_status(invitation=invitation)


@extend_schema_view(
    list=extend_schema(
        summary="List the organisation's members", responses={200: MemberSerializer}
    ),
    retrieve=extend_schema(
        summary="One member", responses={200: MemberSerializer, **ERROR_RESPONSES(404)}
    ),
)
class MemberViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, TenantViewSet):
    tenant_queryset = Membership.objects.select_related("user")
    serializer_class = MemberSerializer
    roles_by_action = {
        "create": roles.MANAGE_TEAM,
        "partial_update": roles.MANAGE_TEAM,
        "destroy": roles.MANAGE_TEAM,
        "*": roles.ALL,
    }

    def refine_queryset(self, queryset):
        return queryset.order_by("user__email", "id")

    @extend_schema(
        summary="Invite someone by email",
        request=MemberInviteSerializer,
        responses={201: InvitationSerializer, **ERROR_RESPONSES(400, 403, 409)},
    )
    def create(self, request):
        serializer = MemberInviteSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        invitation = invitation_create(
            organisation=self.organisation,
            email=serializer.validated_data["email"],
            role=serializer.validated_data["role"],
            invited_by=request.user,
            base_url=request.build_absolute_uri("/").rstrip("/"),
        )
        return Response(InvitationSerializer(invitation).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        summary="Change a member's role",
        request=MemberRoleSerializer,
        responses={200: MemberSerializer, **ERROR_RESPONSES(400, 403, 404, 409)},
    )
    def partial_update(self, request, id=None):
        membership = self.get_object()
        serializer = MemberRoleSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        membership = membership_change_role(
            membership=membership, role=serializer.validated_data["role"], actor=request.user
        )
        return Response(MemberSerializer(membership).data)

    @extend_schema(
        summary="Remove a member (their account stays; their access ends at once)",
        responses={204: None, **ERROR_RESPONSES(403, 404, 409)},
    )
    def destroy(self, request, id=None):
        membership_remove(membership=self.get_object(), actor=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)


@extend_schema_view(
    list=extend_schema(
        summary="List open invitations (not accepted, not revoked)",
        responses={200: InvitationSerializer, **ERROR_RESPONSES(403)},
    ),
    retrieve=extend_schema(
        summary="One open invitation",
        responses={200: InvitationSerializer, **ERROR_RESPONSES(403, 404)},
    ),
)
class InvitationViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, TenantViewSet):
    tenant_queryset = Invitation.objects.select_related("invited_by")
    serializer_class = InvitationSerializer
    roles_by_action = {"*": roles.MANAGE_TEAM}

    def refine_queryset(self, queryset):
        return queryset.filter(accepted_at__isnull=True, revoked_at__isnull=True).order_by(
            "-created_at"
        )

    @extend_schema(
        summary="Revoke an invitation: its link stops working",
        responses={204: None, **ERROR_RESPONSES(403, 404, 409)},
    )
    def destroy(self, request, id=None):
        invitation_revoke(invitation=self.get_object(), actor=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)


urlpatterns = [
    path(
        "members",
        MemberViewSet.as_view({"get": "list", "post": "create"}),
        name="members-list",
    ),
    path(
        "members/<uuid:id>",
        MemberViewSet.as_view({"get": "retrieve", "patch": "partial_update", "delete": "destroy"}),
        name="members-detail",
    ),
    path("invitations", InvitationViewSet.as_view({"get": "list"}), name="invitations-list"),
    path(
        "invitations/<uuid:id>",
        InvitationViewSet.as_view({"get": "retrieve", "delete": "destroy"}),
        name="invitations-detail",
    ),
]
