from django.urls import path
from drf_spectacular.utils import extend_schema
from rest_framework.response import Response
from rest_framework.views import APIView

from partners.serializers import MeSerializer
from portal.api.schema import ERROR_RESPONSES


class MeView(APIView):
    """Who am I: the user, their organisation (with partner type and tier) and role."""

    @extend_schema(
        summary="Who am I: user, organisation and role",
        responses={200: MeSerializer, **ERROR_RESPONSES(401)},
    )
    def get(self, request):
        caller = request._request.caller
        return Response(
            MeSerializer(
                {"user": caller.user, "organisation": caller.organisation, "role": caller.role}
            ).data
        )


urlpatterns = [path("me", MeView.as_view(), name="me")]
