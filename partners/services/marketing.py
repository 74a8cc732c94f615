"""The marketing center's writes: the channel team's assets (checked uploads) and the
count of each partner's downloads.

An uploaded asset is checked by what it contains, never by its name or declared type:
PDF, PNG and JPEG with the payment proofs' checks (billing.services.proof_files: the
signature, then an image's header and structure), or a ZIP (a template pack) that opens
and lists its entries. SVG is refused: it may carry scripts, and a badge is offered as a
PNG. The size limit is ``MARKETING_ASSET_MAX_BYTES``; it stays below the request body
limit (``REQUEST_BODY_MAX_BYTES``, portal.http_limits) so that the admin's form gets the
clear message rather than a 413."""

from __future__ import annotations

import hashlib
import io
import zipfile
from dataclasses import dataclass

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from billing.services.proof_files import KINDS as PROOF_KINDS
from billing.services.proof_files import image_check, upload_read
from partners.models import AssetDownload, MarketingAsset, Organisation
from portal.audit.services import audit_record
from portal.errors import DomainError
from portal.permissions import require_staff_permission

FORMATS_IN_WORDS = "a PDF, PNG, JPEG or ZIP file"
ZIP_SIGNATURE = b"PK\x03\x04"
ZIP_MAX_ENTRIES = 500
ZIP_MAX_UNCOMPRESSED = 200 * 1024 * 1024


@dataclass(frozen=True)
class CheckedAsset:
    content: bytes
    content_type: str
    extension: str
    sha256: str

    @property
    def size(self) -> int:
        return len(self.content)


def _error(message: str, code: str) -> DomainError:
    return DomainError(message, field="file", code=code)


def _read(upload) -> bytes:
    return upload_read(
        upload,
        limit=settings.MARKETING_ASSET_MAX_BYTES,
        missing=f"Choose the asset's file: {FORMATS_IN_WORDS}.",
    )


def _zip_check(content: bytes) -> None:
    try:
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            entries = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError, EOFError) as exc:
        raise _error(
            "The file starts like a ZIP archive but could not be read; it may be damaged.",
            "file_unreadable",
        ) from exc
    if len(entries) > ZIP_MAX_ENTRIES or sum(e.file_size for e in entries) > ZIP_MAX_UNCOMPRESSED:
        raise _error(
            f"The archive is too large once unpacked (at most {ZIP_MAX_ENTRIES} files and "
            f"{ZIP_MAX_UNCOMPRESSED // (1024 * 1024)} MB).",
            "file_too_big",
        )


def asset_file_check(upload) -> CheckedAsset:
    """Read and check an asset's upload (see the module's note); ``DomainError`` on the
    ``file`` field when it is refused."""
    content = _read(upload)
    for kind in PROOF_KINDS:
        if content.startswith(kind.signature):
            if kind.pillow_format:
                image_check(content, kind)
            content_type, extension = kind.content_type, kind.extension
            break
    else:
        if not content.startswith(ZIP_SIGNATURE):
            raise _error(
                f"An asset must be {FORMATS_IN_WORDS} (SVG is not accepted: offer a PNG); "
                "its content is checked, whatever its name says.",
                "file_format",
            )
        _zip_check(content)
        content_type, extension = "application/zip", ".zip"
    return CheckedAsset(
        content=content,
        content_type=content_type,
        extension=extension,
        sha256=hashlib.sha256(content).hexdigest(),
    )


def asset_validate(*, programme, partner_types, min_tier_level) -> None:
    """The types named must be the programme's; a minimum tier level must exist for at
    least one of them (else nobody would ever see the asset)."""
    types = list(partner_types or [])
    foreign = [t.name for t in types if t.programme_id != programme.pk]
    if foreign:
        raise DomainError(
            f"{', '.join(foreign)}: not a partner type of {programme.name}.",
            field="partner_types",
            code="foreign_type",
        )
    if min_tier_level is not None:
        from partners.models import Tier

        tiers = Tier.objects.filter(partner_type__programme=programme, level__gte=min_tier_level)
        if types:
            tiers = tiers.filter(partner_type__in=types)
        if not tiers.exists():
            raise DomainError(
                f"No tier of level {min_tier_level} or above exists for these types: "
                "no partner would see the asset.",
                field="min_tier_level",
                code="no_such_tier",
            )


_AUDITED = (
    "title",
    "kind",
    "programme_id",
    "min_tier_level",
    "published",
    "original_name",
    "sha256",
)


def _values(asset: MarketingAsset) -> dict:
    if asset.pk is None or asset._state.adding:
        return {}
    return {name: str(getattr(asset, name)) for name in _AUDITED}


@transaction.atomic
def asset_save(
    *,
    actor,
    programme,
    title: str,
    kind: str,
    description: str = "",
    partner_types=(),
    min_tier_level: int | None = None,
    published: bool = False,
    upload=None,
    asset: MarketingAsset | None = None,
) -> MarketingAsset:
    """Create (or, given a saved ``asset``, change) an asset. A new asset needs a file;
    a change keeps its file unless ``upload`` replaces it. The file is stored under a
    random name with its original name, checked type, size and SHA-256."""
    require_staff_permission(
        actor,
        "partners.change_marketingasset"
        if asset is not None and not asset._state.adding
        else "partners.add_marketingasset",
        "Managing marketing assets needs the channel team's permission for it.",
    )
    asset = asset if asset is not None else MarketingAsset()
    creating = asset._state.adding
    if creating and upload is None:
        raise _error(f"Choose the asset's file: {FORMATS_IN_WORDS}.", "required")
    asset_validate(programme=programme, partner_types=partner_types, min_tier_level=min_tier_level)
    before = _values(asset) if not creating else {}
    if not creating:
        before = _values(MarketingAsset.objects.get(pk=asset.pk))
    asset.programme = programme
    asset.title = title.strip()
    asset.kind = kind
    asset.description = description.strip()
    asset.min_tier_level = min_tier_level
    asset.published = published
    if upload is not None:
        checked = asset_file_check(upload)
        original = (getattr(upload, "name", "") or f"asset{checked.extension}").rsplit("/", 1)[-1]
        asset.original_name = original[:200]
        asset.content_type = checked.content_type
        asset.size = checked.size
        asset.sha256 = checked.sha256
        asset.file.save(f"asset{checked.extension}", ContentFile(checked.content), save=False)
    if creating:
        asset.created_by = actor
    asset.save()
    asset.partner_types.set(partner_types or [])
    audit_record(
        actor=actor,
        action="marketing_asset.created" if creating else "marketing_asset.changed",
        obj=asset,
        organisation=None,
        before=before or None,
        after=_values(asset),
        summary=f"Marketing asset {asset.title!r} {'added' if creating else 'changed'}",
    )
    return asset


def asset_download_record(*, organisation: Organisation, asset: MarketingAsset) -> None:
    """Count one download of ``asset`` by ``organisation``: the row is created once
    (ignoring a concurrent creation) and incremented in the database (F()), so concurrent
    downloads are all counted."""
    now = timezone.now()
    AssetDownload.objects.bulk_create(
        [AssetDownload(organisation=organisation, asset=asset, count=0, last_downloaded_at=now)],
        ignore_conflicts=True,
    )
    AssetDownload.objects.for_tenant(organisation).filter(asset=asset).update(
        count=F("count") + 1, last_downloaded_at=now
    )
