"""Checking an uploaded proof of payment by what it contains (SPEC §3.10: PDF, PNG or JPEG,
size-limited, checked), never by its name or the type the client declared.

* The size first (``PAYMENT_PROOF_MAX_BYTES``), from the upload's size and again while
  reading: at most one byte more than the limit is ever read.
* Then the first bytes: ``%PDF-``, the PNG signature or a JPEG's ``FF D8 FF``. Anything
  else is refused, whatever it is called.
* An image is opened with Pillow, restricted to the format its signature announced, and
  only its header is read: its size is checked before anything could decode it (a small
  file can claim billions of pixels, which the channel team's viewer would then try to
  decode), and ``verify`` checks its structure (chunk checksums, no decoding).

Nothing is stored here: billing.services.payments stores the content under a random name.
"""

from __future__ import annotations

import hashlib
import io
import struct
import warnings
from dataclasses import dataclass

from django.conf import settings
from PIL import Image, UnidentifiedImageError

from portal.errors import DomainError

#: Images larger than this are refused from their header, before any decoding.
PROOF_MAX_SIDE = 20_000
PROOF_MAX_PIXELS = 50_000_000

FORMATS_IN_WORDS = "a PDF, PNG or JPEG file"


@dataclass(frozen=True)
class ProofKind:
    content_type: str
    extension: str
    signature: bytes
    pillow_format: str = ""  # images: the only Pillow decoder tried


KINDS = (
    ProofKind("application/pdf", ".pdf", b"%PDF-"),
    ProofKind("image/png", ".png", b"\x89PNG\r\n\x1a\n", "PNG"),
    ProofKind("image/jpeg", ".jpg", b"\xff\xd8\xff", "JPEG"),
)


@dataclass(frozen=True)
class CheckedProof:
    content: bytes
    kind: ProofKind
    sha256: str

    @property
    def size(self) -> int:
        return len(self.content)


def _error(message: str, code: str) -> DomainError:
    return DomainError(message, field="file", code=code)


def upload_read(upload, *, limit: int, missing: str, too_big_hint: str = "") -> bytes:
    """An uploaded file's bytes, refused (on the ``file`` field) when missing, empty or
    over ``limit``: its declared size first, then reading at most one byte more."""
    if upload is None:
        raise _error(missing, "required")

    def too_big(size: int) -> DomainError:
        return _error(
            f"The file is {size / (1024 * 1024):.1f} MB; the limit is "
            f"{limit / (1024 * 1024):.0f} MB.{too_big_hint}",
            "file_too_big",
        )

    size = getattr(upload, "size", None)
    if size is not None and size > limit:
        raise too_big(size)
    if hasattr(upload, "seek"):
        upload.seek(0)
    content = upload.read(limit + 1)
    if len(content) > limit:
        raise too_big(len(content))
    if not content:
        raise _error("The file is empty.", "file_empty")
    return content


def proof_content_read(upload) -> bytes:
    """A proof's bytes (payment proofs, claim files), within PAYMENT_PROOF_MAX_BYTES."""
    return upload_read(
        upload,
        limit=settings.PAYMENT_PROOF_MAX_BYTES,
        missing=f"Choose the proof of your transfer: {FORMATS_IN_WORDS}.",
        too_big_hint=" Send a smaller scan or a PDF of the transfer.",
    )


def proof_kind_of(content: bytes) -> ProofKind:
    """What the content is, by its first bytes."""
    for kind in KINDS:
        if content.startswith(kind.signature):
            return kind
    raise _error(
        f"The proof must be {FORMATS_IN_WORDS}; this file is none of them (its content "
        "is checked, whatever its name says).",
        "file_format",
    )


def image_check(content: bytes, kind: ProofKind) -> None:
    """A PNG or JPEG's header and structure, refused before anything is decoded when its
    size is excessive (payment proofs, claim files, marketing assets)."""
    try:
        with warnings.catch_warnings():
            # Pillow only warns below twice its own pixel limit: refuse that too.
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(content), formats=[kind.pillow_format]) as image:
                width, height = image.size  # the header only: nothing is decoded
                if max(width, height) > PROOF_MAX_SIDE or width * height > PROOF_MAX_PIXELS:
                    raise _too_many_pixels(width, height)
                image.verify()
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
        raise _too_many_pixels(None, None) from exc
    except UnidentifiedImageError as exc:
        raise _unreadable(kind) from exc
    except (OSError, SyntaxError, ValueError, EOFError, struct.error) as exc:
        raise _unreadable(kind) from exc


def _too_many_pixels(width: int | None, height: int | None) -> DomainError:
    dimensions = f" ({width:,} x {height:,} pixels)" if width else ""
    return _error(
        f"The image is too large{dimensions}: at most {PROOF_MAX_SIDE:,} pixels a side and "
        f"{PROOF_MAX_PIXELS // 1_000_000} megapixels. Send a smaller scan or a PDF.",
        "file_too_many_pixels",
    )


def _unreadable(kind: ProofKind) -> DomainError:
    name = kind.pillow_format or "PDF"
    return _error(
        f"The file starts like a {name} image but could not be read; it may be damaged.",
        "file_unreadable",
    )


def proof_file_check(upload) -> CheckedProof:
    """Read and check an uploaded proof (see the module's note); ``DomainError`` on the
    ``file`` field when it is refused."""
    content = proof_content_read(upload)
    kind = proof_kind_of(content)
    if kind.pillow_format:
        image_check(content, kind)
    return CheckedProof(content=content, kind=kind, sha256=hashlib.sha256(content).hexdigest())
