"""Answering with a private file, once a view has checked that the caller may have it."""

from __future__ import annotations

from django.db.models.fields.files import FieldFile
from django.http import FileResponse


def private_file_response(file: FieldFile, *, filename: str, content_type: str) -> FileResponse:
    """A download (never shown inline), not sniffed into another type, not cached by the
    browser or any proxy on the way."""
    response = FileResponse(
        file.open("rb"), as_attachment=True, filename=filename, content_type=content_type
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response
