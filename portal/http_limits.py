"""Request bodies are refused by their declared size before anything reads them.

Django bounds the form fields it parses (DATA_UPLOAD_MAX_MEMORY_SIZE, ..._NUMBER_FIELDS,
..._NUMBER_FILES) but not uploaded files, which it streams to disk whatever their size,
and DRF's parsers read the stream without Django's checks. This middleware, first in the
chain, answers 413 to any body over REQUEST_BODY_MAX_BYTES from its Content-Length. (A
body without Content-Length is not read by Django at all: WSGI gives it as empty.)
"""

from __future__ import annotations

from django.conf import settings
from django.http import HttpResponse

from portal.api.errors import json_error


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
        return self.get_response(request)
