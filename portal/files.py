"""Storing a rendered document, and answering with a private file once a view has checked
that the caller may have it."""

from __future__ import annotations

import hashlib

from django.core.files.base import ContentFile
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


def file_store(file: FieldFile, *, name: str, content: bytes) -> str:
    """Store ``content`` as the row's file (the caller saves the row) and return its
    SHA-256, which the row keeps as the proof of what was issued."""
    file.save(name, ContentFile(content), save=False)
    return hashlib.sha256(content).hexdigest()
