"""API routes: sessions and training (SPEC §3.11).

``/sessions`` lists the upcoming sessions the caller's organisation may join (its type and
tier), soonest first, with the seats left; ``/sessions/{id}/registrations`` lists the
organisation's registrations for one and registers a member (by default the caller; an
administrator may name another member); ``/session-registrations`` lists every
registration of the organisation (upcoming, attended, absent, cancelled) and
``/session-registrations/{id}/cancel`` cancels one. Sessions are programme data; a session
the organisation may not join is 404, as a missing one."""

from __future__ import annotations

from django.shortcuts import get_object_or_404
from django.urls import path
from django.utils import timezone
from drf_spectacular.utils import extend_schema
from rest_framework import generics, serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from partners import roles
from partners.models import Session, SessionRegistration
from partners.selectors.sessions import registrations_of, sessions_upcoming
from partners.services.sessions import registration_cancel, session_register
from portal.api.fields import InputSerializerMixin
from portal.api.permissions import IsPartnerMember
from portal.api.schema import ERROR_RESPONSES

_MEMBERS = {"*": roles.ALL}


class SessionSerializer(serializers.ModelSerializer):
    seats_left = serializers.SerializerMethodField()

    class Meta:
        model = Session
        fields = [
            "id",
            "title",
            "kind",
            "description",
            "starts_at",
            "time_zone",
            "duration_minutes",
            "capacity",
            "seats_left",
            "online_link",
            "place",
            "certification_name",
            "certification_validity_months",
            "pes_points",
        ]
        read_only_fields = fields

    def get_seats_left(self, session) -> int:
        return max(session.capacity - session.seats_taken, 0)


class RegistrationSerializer(serializers.ModelSerializer):
    session = serializers.UUIDField(source="session_id", read_only=True)
    session_title = serializers.CharField(source="session.title", read_only=True)
    starts_at = serializers.DateTimeField(source="session.starts_at", read_only=True)
    member = serializers.UUIDField(source="membership_id", read_only=True, allow_null=True)

    class Meta:
        model = SessionRegistration
        fields = [
            "id",
            "session",
            "session_title",
            "starts_at",
            "member",
            "person_name",
            "person_email",
            "status",
            "attended_at",
            "created_at",
        ]
        read_only_fields = fields


class RegisterSerializer(InputSerializerMixin, serializers.Serializer):
    member = serializers.UUIDField(
        required=False,
        allow_null=True,
        default=None,
        help_text="A member of your organisation (administrators); by default yourself.",
    )


def _caller(request):
    return request._request.caller


class SessionListView(generics.ListAPIView):
    """Upcoming sessions your organisation may join, soonest first."""

    permission_classes = [IsPartnerMember]
    roles_by_action = _MEMBERS
    serializer_class = SessionSerializer

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # drf-spectacular schema generation
            return Session.objects.none()
        return sessions_upcoming(organisation=_caller(self.request).organisation)

    @extend_schema(
        summary="Upcoming sessions you may join, with the seats left",
        responses={200: SessionSerializer, **ERROR_RESPONSES(401, 403, 404)},  # 404: page
    )
    def get(self, request, *args, **kwargs):
        return self.list(request, *args, **kwargs)


class SessionRegistrationsView(APIView):
    permission_classes = [IsPartnerMember]
    roles_by_action = _MEMBERS

    def _session(self, request, id) -> Session:
        organisation = _caller(request).organisation
        queryset = Session.objects.filter(
            pk__in=sessions_upcoming(organisation=organisation, now=timezone.now()).values("pk")
        )
        return get_object_or_404(queryset, pk=id)

    @extend_schema(
        summary="Your organisation's registrations for a session",
        responses={200: RegistrationSerializer(many=True), **ERROR_RESPONSES(401, 403, 404)},
    )
    def get(self, request, id):
        session = self._session(request, id)
        registrations = registrations_of(organisation=_caller(request).organisation).filter(
            session=session
        )
        return Response(RegistrationSerializer(registrations, many=True).data)

    @extend_schema(
        summary="Register yourself (or, as an administrator, a member) for a session",
        request=RegisterSerializer,
        responses={201: RegistrationSerializer, **ERROR_RESPONSES(400, 401, 403, 404, 409)},
    )
    def post(self, request, id):
        serializer = RegisterSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        caller = _caller(request)
        registration = session_register(
            organisation=caller.organisation,
            actor=request.user,
            role=caller.role,
            session_id=id,
            membership_id=serializer.validated_data["member"],
        )
        return Response(RegistrationSerializer(registration).data, status=status.HTTP_201_CREATED)


class RegistrationListView(generics.ListAPIView):
    """Every registration of your organisation: upcoming, attended, absent, cancelled."""

    permission_classes = [IsPartnerMember]
    roles_by_action = _MEMBERS
    serializer_class = RegistrationSerializer

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # drf-spectacular schema generation
            return SessionRegistration.objects.none()
        return registrations_of(organisation=_caller(self.request).organisation)

    @extend_schema(
        summary="Your organisation's registrations and attendance",
        responses={200: RegistrationSerializer, **ERROR_RESPONSES(401, 403, 404)},
    )
    def get(self, request, *args, **kwargs):
        return self.list(request, *args, **kwargs)


class RegistrationCancelView(APIView):
    permission_classes = [IsPartnerMember]
    roles_by_action = _MEMBERS

    @extend_schema(
        summary="Cancel a registration before the session starts (the person or an admin)",
        request=None,
        responses={200: RegistrationSerializer, **ERROR_RESPONSES(401, 403, 404, 409)},
    )
    def post(self, request, id):
        caller = _caller(request)
        registration = registration_cancel(
            organisation=caller.organisation,
            actor=request.user,
            role=caller.role,
            registration_id=id,
        )
        return Response(RegistrationSerializer(registration).data)


urlpatterns = [
    path("sessions", SessionListView.as_view(), name="sessions-list"),
    path(
        "sessions/<int:id>/registrations",
        SessionRegistrationsView.as_view(),
        name="sessions-registrations",
    ),
    path("session-registrations", RegistrationListView.as_view(), name="session-registrations"),
    path(
        "session-registrations/<uuid:id>/cancel",
        RegistrationCancelView.as_view(),
        name="session-registrations-cancel",
    ),
]
