"""Request bodies are refused by their declared size before anything reads them, and JSON
bodies of endpoints that parse JSON themselves (allauth's headless API) are held to the
API's rules (portal.api.parsers) before they are parsed there.

Django bounds the form fields it parses (DATA_UPLOAD_MAX_MEMORY_SIZE, ..._NUMBER_FIELDS,
..._NUMBER_FILES) but not uploaded files, which it streams to disk whatever their size,
and DRF's parsers read the stream without Django's checks. This middleware, first in the
chain, answers 413 to any body over REQUEST_BODY_MAX_BYTES from its Content-Length. (A
body without Content-Length is not read by Django at all: WSGI gives it as empty.)
"""

from __future__ import annotations

import json

from django.conf import settings
from django.http import HttpResponse
from rest_framework.exceptions import ParseError, ValidationError

from portal.api.errors import json_error
from portal.api.parsers import MAX_DEPTH, check_parsed

#: Paths whose views parse JSON bodies themselves: a body of 100,000 "[" made allauth's
#: json.loads raise RecursionError (a 500) on the login endpoint.
SELF_PARSING_JSON_PATHS = ("/_allauth/",)


class RequestBodyLimitMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        limit = settings.REQUEST_BODY_MAX_BYTES
        try:
            declared = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            declared = 0
        if limit is not None and declared > limit:
            detail = f"The request body is larger than the limit of {limit:,} bytes."
            if request.path.startswith(("/api/", "/_allauth/")):
                return json_error(413, "too_large", detail)
            return HttpResponse(detail, status=413, content_type="text/plain; charset=utf-8")
        if (
            declared
            and request.path.startswith(SELF_PARSING_JSON_PATHS)
            and request.content_type == "application/json"
        ):
            refusal = _json_refusal(request)
            if refusal:
                return json_error(400, "parse_error", refusal)
        return self.get_response(request)


def _json_refusal(request) -> str | None:
    """Why the JSON body must be refused, or None (malformed JSON is left to the view,
    which answers it in its own format). The body is cached on the request for the view."""
    try:
        data = json.loads(request.body)
    except RecursionError:
        return f"JSON nested deeper than {MAX_DEPTH} levels is not accepted."
    except ValueError:
        return None
    try:
        check_parsed(data)
    except (ParseError, ValidationError) as exc:
        detail = exc.detail
        if isinstance(detail, dict):
            return " ".join(f"{k}: {' '.join(map(str, v))}" for k, v in detail.items())
        return str(detail)
    return None
