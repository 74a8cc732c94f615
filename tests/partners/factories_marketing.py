"""Marketing assets for tests: stored files, visible to the types and tiers given."""

from __future__ import annotations

import io
import itertools

from django.core.files.base import ContentFile
from PIL import Image

from partners.models import MarketingAsset

_n = itertools.count()

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def png_bytes(size=(8, 8)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, (20, 90, 160)).save(buffer, format="PNG")
    return buffer.getvalue()


def make_asset(
    *,
    programme,
    partner_types=(),
    min_tier_level: int | None = None,
    published: bool = True,
    kind: str = MarketingAsset.Kind.DATASHEET,
    title: str | None = None,
    content: bytes = PDF,
    content_type: str = "application/pdf",
) -> MarketingAsset:
    n = next(_n)
    asset = MarketingAsset(
        programme=programme,
        title=title or f"Asset {n}",
        kind=kind,
        description=f"Description {n}",
        min_tier_level=min_tier_level,
        published=published,
        original_name=f"asset-{n}.pdf" if content_type == "application/pdf" else f"asset-{n}.png",
        content_type=content_type,
        size=len(content),
        sha256="0" * 64,
    )
    asset.file.save("asset.bin", ContentFile(content), save=False)
    asset.save()
    asset.partner_types.set(partner_types)
    return asset


def asset_of(tenant) -> MarketingAsset:
    """An asset only the tenant's partner type sees (the harness gives each tenant a type
    of its own): another tenant's list never shows it, its URLs are 404 to them."""
    partner_type = tenant.organisation.partner_type
    return make_asset(programme=partner_type.programme, partner_types=[partner_type])
