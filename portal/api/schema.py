"""OpenAPI declarations shared by every endpoint (schemathesis and clients rely on them)."""

from drf_spectacular.utils import OpenApiResponse, inline_serializer
from rest_framework import serializers

ErrorSerializer = inline_serializer(
    name="Error",
    fields={
        "code": serializers.CharField(),
        "detail": serializers.CharField(),
        "fields": serializers.DictField(
            child=serializers.ListField(child=serializers.CharField()), required=False
        ),
    },
)

_DESCRIPTIONS = {
    400: "Invalid input; `fields` names each bad field.",
    401: "Not logged in.",
    403: "Logged in, but not allowed.",
    404: "Not found (or another partner's).",
    409: "Conflicts with the current state.",
}


def ERROR_RESPONSES(*codes: int) -> dict:
    return {c: OpenApiResponse(ErrorSerializer, description=_DESCRIPTIONS[c]) for c in codes}
