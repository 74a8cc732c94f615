"""The API's JSON parser: DRF's, with limits on what a parsed body may be.

DRF hands its JSON parser ``request.body``, so Django's DATA_UPLOAD_MAX_MEMORY_SIZE bounds
the size (portal.api.errors answers 413). But DRF's parser lets a body of 100,000 ``[`` end
in a RecursionError (a 500), and hands lone surrogates (``"\\ud800"``) to the serializers,
which PostgreSQL and the JSON renderer then refuse (a 500 again). Here both are a 400 with
a clear message, for every endpoint at once.
"""

from __future__ import annotations

import json

from django.conf import settings
from rest_framework import parsers
from rest_framework.exceptions import ParseError, ValidationError
from rest_framework.utils.json import strict_constant

#: Deeper than any body the API takes (its deepest is an object of lists): enough to
#: bound the work of every later recursive step (serializers, error rendering).
MAX_DEPTH = 32

SURROGATE_MESSAGE = (
    "Contains an unpaired surrogate character (such as \\ud800), which is not valid text."
)


def _has_surrogate(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return True
    return False


def check_parsed(data) -> None:
    """Walks the parsed body without recursion: refuses nesting deeper than MAX_DEPTH and
    any text (keys included) that is not valid Unicode. A bad value inside a top-level
    field is reported on that field."""
    stack = [(data, 0, None)]
    while stack:
        value, depth, field = stack.pop()
        if depth > MAX_DEPTH:
            raise ParseError(f"JSON nested deeper than {MAX_DEPTH} levels is not accepted.")
        if isinstance(value, str):
            if _has_surrogate(value):
                _refuse_text(field)
        elif isinstance(value, dict):
            for key, item in value.items():
                if _has_surrogate(key):
                    _refuse_text(None)
                stack.append((item, depth + 1, key if depth == 0 else field))
        elif isinstance(value, list):
            stack.extend((item, depth + 1, field) for item in value)


def _refuse_text(field: str | None):
    if field is None:
        raise ParseError(f"JSON parse error - {SURROGATE_MESSAGE}")
    raise ValidationError({field: [SURROGATE_MESSAGE]})


class JSONParser(parsers.JSONParser):
    def parse(self, stream, media_type=None, parser_context=None):
        parser_context = parser_context or {}
        encoding = parser_context.get("encoding", settings.DEFAULT_CHARSET)
        raw = stream.read()
        try:
            text = raw.decode(encoding)
        except (UnicodeDecodeError, LookupError) as exc:
            raise ParseError(f"JSON parse error - the body is not {encoding} text.") from exc
        try:
            data = json.loads(text, parse_constant=strict_constant if self.strict else None)
        except RecursionError as exc:
            raise ParseError(
                f"JSON nested deeper than {MAX_DEPTH} levels is not accepted."
            ) from exc
        except ValueError as exc:
            raise ParseError(f"JSON parse error - {exc}") from exc
        check_parsed(data)
        return data
