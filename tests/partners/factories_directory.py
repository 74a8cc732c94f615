"""Profiles, listed partners and in-memory images for the profile and directory tests."""

from __future__ import annotations

import io
import os
import struct
import zlib

import factory
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from partners.models import Organisation, PartnerProfile
from tests.factories import OrganisationFactory, PartnerTypeFactory, SystemFactory, TierFactory
from tests.tenancy_support import observer

DESCRIPTION = " ".join(["Reliable"] + ["virtualization"] * 38 + ["partner."])  # 40 words


def words(count: int) -> str:
    return " ".join(f"word{i}" for i in range(count))


class PartnerProfileFactory(SystemFactory):
    class Meta:
        model = PartnerProfile

    organisation = factory.SubFactory(OrganisationFactory)
    display_name = factory.Sequence(lambda n: f"Listed Partner {n:03d}")
    description = DESCRIPTION
    city = "Hamburg"
    region = "HH"
    country = factory.SelfAttribute("organisation.country")
    website = "https://www.partner.example"
    territory = "DACH"


def listed_partner(
    *,
    type_code: str = "reseller",
    tier_level: int | None = 1,
    country: str = "DE",
    status: str = Organisation.Status.ACTIVE,
    listed_type: bool = True,
    legal_name: str | None = None,
    **profile,
) -> PartnerProfile:
    """An organisation of the given type, tier and status, with a profile."""
    partner_type = PartnerTypeFactory(code=type_code, listed_in_locator=listed_type)
    tier = TierFactory(partner_type=partner_type, level=tier_level) if tier_level else None
    organisation = OrganisationFactory(
        partner_type=partner_type,
        tier=tier,
        country=country,
        status=status,
        **({"name": legal_name} if legal_name else {}),
    )
    return PartnerProfileFactory(organisation=organisation, country=country, **profile)


def give_logo(profile: PartnerProfile, *, width: int = 400, height: int = 200) -> PartnerProfile:
    """Store a PNG logo for the profile (under MEDIA_ROOT), as the service would."""
    with observer():
        profile.logo.save("logo.png", ContentFile(image_bytes(width, height)), save=False)
        profile.logo_width, profile.logo_height = width, height
        profile.save(update_fields=["logo", "logo_width", "logo_height"])
    return profile


# --- Images, made in memory ----------------------------------------------------------


def image_bytes(width: int, height: int, *, fmt: str = "PNG", mode: str = "RGB", **save) -> bytes:
    image = Image.new(mode, (width, height), "navy" if mode != "P" else 3)
    buffer = io.BytesIO()
    image.save(buffer, format=fmt, **save)
    return buffer.getvalue()


def jpeg_with_metadata(width: int, height: int) -> bytes:
    """A JPEG carrying EXIF (a camera make and a GPS-ish comment) that must not survive."""
    exif = Image.Exif()
    exif[0x010F] = "SpyCam Inc."  # Make
    exif[0x010E] = "secret location 52.52N 13.40E"  # ImageDescription
    return image_bytes(width, height, fmt="JPEG", exif=exif.tobytes(), comment=b"private")


def noise_png(width: int, height: int) -> bytes:
    """Random pixels do not compress: a big file for a modest image."""
    image = Image.frombytes("RGB", (width, height), os.urandom(width * height * 3))
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return buffer.getvalue()


def noise_jpeg(width: int, height: int, *, cut: float = 1.0) -> bytes:
    """A JPEG of random pixels, optionally cut off after the given share of its bytes."""
    image = Image.frombytes("RGB", (width, height), os.urandom(width * height * 3))
    buffer = io.BytesIO()
    image.save(buffer, format="JPEG")
    content = buffer.getvalue()
    return content[: int(len(content) * cut)]


def _chunk(kind: bytes, data: bytes) -> bytes:
    body = kind + data
    return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))


def bomb_png(width: int, height: int) -> bytes:
    """A tiny PNG whose header claims width x height pixels (a decompression bomb)."""
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + _chunk(b"IHDR", header)
        + _chunk(b"IDAT", zlib.compress(b"\x00" * 1024))
        + _chunk(b"IEND", b"")
    )


def black_png(width: int, height: int) -> bytes:
    """A complete, valid PNG of black pixels: every row is there, so it decodes in full,
    yet all-zero rows compress ~1000:1 (25,000,000 x 1 is about 73 KB)."""
    compressor = zlib.compressobj(9)
    remaining = height * (1 + width * 3)  # each row: the filter byte (0), then RGB zeros
    idat = bytearray()
    while remaining:
        step = min(remaining, 1 << 20)
        idat += compressor.compress(bytes(step))
        remaining -= step
    idat += compressor.flush()
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + _chunk(b"IHDR", header)
        + _chunk(b"IDAT", bytes(idat))
        + _chunk(b"IEND", b"")
    )


def upload(content: bytes, name: str = "logo.png", content_type: str = "image/png"):
    return SimpleUploadedFile(name, content, content_type=content_type)
