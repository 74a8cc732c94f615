"""One JSON shape for every API error:

    {"code": "invalid", "detail": "Human sentence.", "fields": {"name": ["Message."]}}

``fields`` is present only for input errors. A 500 is a bug, but it still answers JSON.
"""

from django.conf import settings
from django.core.exceptions import (
    PermissionDenied,
    RequestDataTooBig,
    TooManyFieldsSent,
    TooManyFilesSent,
)
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404, JsonResponse
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from portal.errors import DomainError

_NON_FIELD_KEYS = ("non_field_errors", "__all__")


def _flatten(detail) -> list[str]:
    if isinstance(detail, dict):
        return [m for value in detail.values() for m in _flatten(value)]
    if isinstance(detail, list):
        return [m for item in detail for m in _flatten(item)]
    return [str(detail)]


def _validation_response(detail, code: str = "invalid") -> Response:
    if isinstance(detail, dict):
        fields = {k: _flatten(v) for k, v in detail.items() if k not in _NON_FIELD_KEYS}
        general = [m for k in _NON_FIELD_KEYS for m in _flatten(detail.get(k, []))]
    else:
        fields, general = {}, _flatten(detail)
    body = {
        "code": code,
        "detail": " ".join(general) if general else "Some fields are invalid.",
    }
    if fields:
        body["fields"] = fields
    return Response(body, status=status.HTTP_400_BAD_REQUEST)


def exception_handler(exc, context):
    if isinstance(exc, DomainError):
        body = {"code": exc.code, "detail": exc.message}
        if exc.field:
            body["fields"] = {exc.field: [exc.message]}
        return Response(body, status=exc.status_code)
    if isinstance(exc, DjangoValidationError):
        detail = exc.message_dict if hasattr(exc, "error_dict") else exc.messages
        return _validation_response(detail)
    if isinstance(exc, exceptions.ValidationError):
        return _validation_response(exc.detail)
    if isinstance(exc, RequestDataTooBig):
        # Raised by Django when DRF reads request.body: the size is refused, with a reason
        # (Django's own answer would be a bare 400).
        limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
        return Response(
            {
                "code": "too_large",
                "detail": f"The request body is larger than the limit of {limit:,} bytes.",
            },
            status=status.HTTP_413_REQUEST_ENTITY_TOO_LARGE,
        )
    if isinstance(exc, TooManyFieldsSent | TooManyFilesSent):
        return Response(
            {"code": "too_many_fields", "detail": "The request has too many fields or files."},
            status=status.HTTP_400_BAD_REQUEST,
        )
    if isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, PermissionDenied):
        exc = exceptions.PermissionDenied()
    response = drf_exception_handler(exc, context)
    if response is not None:
        codes = exc.get_codes() if isinstance(exc, exceptions.APIException) else "error"
        response.data = {
            "code": codes if isinstance(codes, str) else "error",
            "detail": " ".join(_flatten(response.data.get("detail", response.data))),
        }
    return response


def json_error(status_code: int, code: str, detail: str) -> JsonResponse:
    return JsonResponse({"code": code, "detail": detail}, status=status_code)
