"""OpenAPI declarations shared by every endpoint (schemathesis and clients rely on them)."""

from drf_spectacular.drainage import warn
from drf_spectacular.openapi import AutoSchema as SpectacularAutoSchema
from drf_spectacular.utils import OpenApiResponse, inline_serializer
from rest_framework import serializers

from portal.settings.api_docs import API_PREFIX, API_TAGS

_TAG_BY_PREFIX = sorted(
    ((prefix, tag) for tag, _, prefixes in API_TAGS for prefix in prefixes),
    key=lambda item: len(item[0]),
    reverse=True,
)


def tag_for_path(path: str) -> str | None:
    relative = path.removeprefix(API_PREFIX)
    for prefix, tag in _TAG_BY_PREFIX:
        if relative == prefix or relative.startswith(prefix + "/"):
            return tag
    return None


class AutoSchema(SpectacularAutoSchema):
    """drf-spectacular's schema, with each operation under its area's tag (``API_TAGS``)
    instead of the first path segment (which is "v1" for every operation)."""

    def get_tags(self) -> list[str]:
        tag = tag_for_path(self.path)
        if tag is None:
            warn(f"{self.path} is in no section of the API docs: add it to API_TAGS.")
            return super().get_tags()
        return [tag]


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
    413: "The request body is too large.",
    415: "The request body's media type (Content-Type) is not one this operation reads.",
    429: "Too many requests; try again later.",
}


def ERROR_RESPONSES(*codes: int) -> dict:
    return {c: OpenApiResponse(ErrorSerializer, description=_DESCRIPTIONS[c]) for c in codes}


_ERROR_SCHEMA = {
    "type": "object",
    "properties": {
        "code": {"type": "string"},
        "detail": {"type": "string"},
        "fields": {
            "type": "object",
            "additionalProperties": {"type": "array", "items": {"type": "string"}},
        },
    },
    "required": ["code", "detail"],
}


def document_error_responses(result, generator, request, public):
    """drf-spectacular postprocessing hook: every operation documents the errors the
    project's shared code can answer, in the one error shape (portal.api.errors):
    400 where there is input, 413 where there is a body, 401/403 where a login is needed,
    404 where a path has an id or a page number, and 429 for throttled public endpoints.
    Views declare the rest."""
    components = result.setdefault("components", {}).setdefault("schemas", {})
    components.setdefault("Error", _ERROR_SCHEMA)
    ref = {"$ref": "#/components/schemas/Error"}
    for path, operations in result.get("paths", {}).items():
        for method, operation in operations.items():
            if method not in {"get", "post", "put", "patch", "delete"}:
                continue
            responses = operation.setdefault("responses", {})
            parameters = operation.get("parameters", [])
            security = operation.get("security") or []
            public = not security or {} in security
            needed = set()
            if method in {"post", "put", "patch"} or any(
                p.get("in") == "query" for p in parameters
            ):
                needed.add("400")
            if method in {"post", "put", "patch"}:
                needed |= {"413", "415"}
            if not public:
                needed |= {"401", "403"}
            if "{" in path or any(p.get("name") == "page" for p in parameters):
                needed.add("404")
            if public and method == "post":
                needed.add("429")
            for status in sorted(needed):
                responses.setdefault(
                    status,
                    {
                        "description": _DESCRIPTIONS[int(status)],
                        "content": {"application/json": {"schema": ref}},
                    },
                )
    return result
