"""Editing the public profile a partner shows in the locator (SPEC §3.8).

One service, ``profile_update``, serves the reseller-space page and the API. Every input
is checked before anything is written; the logo is decoded with Pillow (its content, never
its name or declared type), re-encoded as a clean PNG and only then stored, so a bad
request leaves neither a half-changed profile nor a file on disk.
"""

from __future__ import annotations

import io
import logging
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.validators import URLValidator
from django.db import transaction
from django_countries import countries
from PIL import Image, ImageFile, ImageOps, UnidentifiedImageError

from partners import roles
from partners.models import Membership, Organisation, PartnerProfile
from partners.profile_rules import DESCRIPTION_MAX_WORDS, DESCRIPTION_MIN_WORDS, word_count
from partners.selectors.directory import profile_for_organisation
from portal.audit.services import audit_record, audit_values
from portal.errors import DomainError, Forbidden
from portal.permissions import require_staff_permission

logger = logging.getLogger(__name__)

#: Upload limits for the logo (SPEC §3.8: at least 200 px wide).
LOGO_MAX_BYTES = 2 * 1024 * 1024
LOGO_MIN_WIDTH = 200
#: Stored logos are scaled down to this width; the locator never shows them larger.
LOGO_STORED_MAX_WIDTH = 800
#: Refused from the image header, before decoding: a small file that claims more pixels
#: (or a longer side) is a decompression bomb. The sides are capped too, because the
#: pixel count alone lets a 25,000,000 x 1 PNG of 73 KB through (5 s and 1.4 GB to decode).
LOGO_MAX_PIXELS = 25_000_000
LOGO_MAX_SIDE = 10_000
#: Pillow decoders tried on an upload; anything else is refused without being parsed.
LOGO_FORMATS = ("PNG", "JPEG")

DESCRIPTION_MAX_CHARS = 2000

#: The fields a partner edits.
EDITABLE_FIELDS = (
    "display_name",
    "description",
    "city",
    "region",
    "country",
    "website",
    "territory",
)
#: Their maximum lengths (the model's columns); the country is checked against ISO 3166.
TEXT_FIELDS = {
    "display_name": 120,
    "description": DESCRIPTION_MAX_CHARS,
    "city": 100,
    "region": 100,
    "website": 200,
    "territory": 200,
}

_LABELS = {
    "display_name": "The display name",
    "description": "The description",
    "city": "The city",
    "region": "The region",
    "country": "The country",
    "website": "The website",
    "territory": "The territory",
}


@dataclass(frozen=True)
class CleanLogo:
    """A logo decoded, checked and re-encoded, not yet stored."""

    content: bytes
    width: int
    height: int


def profile_update(
    *, organisation: Organisation, actor, data: dict[str, Any], logo=None
) -> PartnerProfile:
    """Change the organisation's profile (creating it on first use, which needs a
    description): the fields named in ``data`` (a partial update) and, when given, the
    uploaded ``logo``.

    Raises ``Forbidden`` unless the actor is one of the organisation's admins (or the
    channel team), and ``DomainError`` (with the field) for the first bad input, before
    anything is written. A replaced logo file is deleted once the change is committed.
    """
    _check_actor(organisation=organisation, actor=actor)
    changes = _clean_fields(data)
    clean_logo = logo_clean(upload=logo) if logo is not None else None

    new_logo_name = ""
    try:
        with transaction.atomic():
            # One writer at a time per organisation, so that the first profile is created
            # once and two logo uploads cannot both keep their file.
            Organisation.objects.select_for_update().only("pk").get(pk=organisation.pk)
            profile = profile_for_organisation(organisation=organisation)
            created = profile._state.adding
            if created and "description" not in changes:
                raise DomainError(
                    f"Describe your company in {DESCRIPTION_MIN_WORDS} to "
                    f"{DESCRIPTION_MAX_WORDS} words to create your profile.",
                    field="description",
                    code="required",
                )
            before = {} if created else audit_values(profile, [*changes, "logo"])
            for field, value in changes.items():
                setattr(profile, field, value)
            update_fields = [*changes, "updated_at"]

            old_logo_name = profile.logo.name if profile.logo else ""
            if clean_logo is not None:
                # FieldFile.save writes the file now (upload_to names it); the row follows.
                profile.logo.save("logo.png", ContentFile(clean_logo.content), save=False)
                new_logo_name = profile.logo.name
                profile.logo_width = clean_logo.width
                profile.logo_height = clean_logo.height
                update_fields += ["logo", "logo_width", "logo_height"]
            profile.save(update_fields=None if created else update_fields)
            after = audit_values(profile, [*changes, "logo"])
            changed = sorted(k for k in after if before.get(k) != after[k])
            if created or changed:
                audit_record(
                    actor=actor,
                    action="profile.created" if created else "profile.updated",
                    obj=profile,
                    organisation=organisation,
                    before=before,
                    after=after,
                    summary=(
                        "Locator profile created"
                        if created
                        else "Locator profile changed: "
                        + ", ".join(
                            _LABELS.get(k, "The logo").removeprefix("The ") for k in changed
                        )
                    ),
                )

            if new_logo_name and old_logo_name:
                storage = profile.logo.storage
                transaction.on_commit(lambda: storage.delete(old_logo_name))
    except BaseException:
        if new_logo_name:
            PartnerProfile._meta.get_field("logo").storage.delete(new_logo_name)
        raise

    logger.info(
        "profile updated: organisation=%s actor=%s fields=%s logo=%s",
        organisation.pk,
        getattr(actor, "pk", None),
        ",".join(sorted(changes)) or "-",
        "replaced" if new_logo_name else "unchanged",
    )
    return profile


def profile_validate(*, data: dict[str, Any]) -> dict[str, str]:
    """The changes ``profile_update`` would store for ``data``, or the first ``DomainError``
    (with its field). For forms that show errors beside their fields."""
    return _clean_fields(data)


def _check_actor(*, organisation: Organisation, actor) -> None:
    if not getattr(actor, "is_authenticated", False):
        raise Forbidden("Log in to edit your organisation's profile.")
    if actor.is_staff:
        require_staff_permission(actor, "partners.change_partnerprofile")
        return
    is_admin = (
        Membership.objects.for_tenant(organisation)
        .filter(user=actor, role__in=roles.EDIT_PROFILE)
        .exists()
    )
    if not is_admin:
        raise Forbidden("Only your organisation's administrators can edit its profile.")


def _clean_fields(data: dict[str, Any]) -> dict[str, str]:
    changes: dict[str, str] = {}
    for field in EDITABLE_FIELDS:
        if field not in data:
            continue
        value = data[field]
        if value is None:
            value = ""
        if not isinstance(value, str):
            raise DomainError(f"{_LABELS[field]} must be text.", field=field)
        value = value.strip()
        if field in TEXT_FIELDS and len(value) > TEXT_FIELDS[field]:
            raise DomainError(
                f"{_LABELS[field]} is {len(value)} characters long; "
                f"the limit is {TEXT_FIELDS[field]}.",
                field=field,
                code="too_long",
            )
        changes[field] = _CLEANERS.get(field, _keep)(value)
    return changes


def _keep(value: str) -> str:
    return value


def _clean_display_name(value: str) -> str:
    if not value:
        raise DomainError(
            "Enter the name to show in the partner locator.", field="display_name", code="required"
        )
    return value


def _clean_description(value: str) -> str:
    words = word_count(value)
    if not DESCRIPTION_MIN_WORDS <= words <= DESCRIPTION_MAX_WORDS:
        raise DomainError(
            f"The description must be {DESCRIPTION_MIN_WORDS} to {DESCRIPTION_MAX_WORDS} words "
            f"long; it has {words} word{'' if words == 1 else 's'}.",
            field="description",
            code="description_length",
        )
    return value


def _clean_country(value: str) -> str:
    code = value.upper()
    if not code:
        raise DomainError("Choose a country.", field="country", code="required")
    if code not in countries:
        raise DomainError(
            f"'{value}' is not a country code; use a two-letter ISO 3166 code such as DE.",
            field="country",
            code="invalid_country",
        )
    return code


def _clean_website(value: str) -> str:
    if not value:
        return ""
    if "://" not in value:
        value = f"https://{value}"
    try:
        URLValidator(schemes=["http", "https"])(value)
    except ValidationError as exc:
        raise DomainError(
            "Enter the website's full address, such as https://www.example.com.",
            field="website",
            code="invalid_url",
        ) from exc
    return value


_CLEANERS = {
    "display_name": _clean_display_name,
    "description": _clean_description,
    "country": _clean_country,
    "website": _clean_website,
}


def logo_clean(*, upload) -> CleanLogo:
    """Decode an uploaded logo by its content, check it and re-encode it as a PNG without
    metadata, at most ``LOGO_STORED_MAX_WIDTH`` wide. Nothing is stored here."""
    size = getattr(upload, "size", None)
    if size is not None and size > LOGO_MAX_BYTES:
        raise DomainError(
            f"The logo file is {size / (1024 * 1024):.1f} MB; the limit is "
            f"{LOGO_MAX_BYTES // (1024 * 1024)} MB.",
            field="logo",
            code="logo_too_big",
        )
    if hasattr(upload, "seek"):
        upload.seek(0)
    try:
        with warnings.catch_warnings(), _truncated_images_refused():
            # Pillow only warns below twice its own pixel limit: treat that as a bomb too.
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(upload, formats=LOGO_FORMATS) as image:
                # Image.open reads the header only; nothing is decoded before this check.
                width, height = image.size
                if width > LOGO_MAX_SIDE or height > LOGO_MAX_SIDE:
                    raise _too_many_pixels(width, height)
                if width * height > LOGO_MAX_PIXELS:
                    raise _too_many_pixels(width, height)
                image.load()
                return _reencode(image)
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
        raise _too_many_pixels(None, None) from exc
    except UnidentifiedImageError as exc:
        raise DomainError(
            "The logo must be a PNG or JPEG image; this file is not one.",
            field="logo",
            code="logo_format",
        ) from exc
    except (OSError, SyntaxError, ValueError, EOFError) as exc:
        raise DomainError(
            "The logo could not be read; the image file may be damaged.",
            field="logo",
            code="logo_unreadable",
        ) from exc


@contextmanager
def _truncated_images_refused() -> Iterator[None]:
    """WeasyPrint (PDFs) switches Pillow's process-wide LOAD_TRUNCATED_IMAGES on when it is
    imported, which would let a cut-off upload decode as a half-grey logo. Our decode
    refuses truncated files whatever was imported before; the flag is put back at once."""
    previous = ImageFile.LOAD_TRUNCATED_IMAGES
    ImageFile.LOAD_TRUNCATED_IMAGES = False
    try:
        yield
    finally:
        ImageFile.LOAD_TRUNCATED_IMAGES = previous


def _too_many_pixels(width: int | None, height: int | None) -> DomainError:
    dimensions = f" ({width} x {height} px)" if width else ""
    return DomainError(
        f"The logo image is too large{dimensions}; use an image of at most "
        f"{LOGO_MAX_SIDE:,} px wide and high and {LOGO_MAX_PIXELS // 1_000_000} megapixels.",
        field="logo",
        code="logo_too_many_pixels",
    )


def _reencode(image: Image.Image) -> CleanLogo:
    image = ImageOps.exif_transpose(image)  # a phone photo's rotation, before measuring
    if image.width < LOGO_MIN_WIDTH:
        raise DomainError(
            f"The logo is {image.width} px wide; it must be at least {LOGO_MIN_WIDTH} px wide.",
            field="logo",
            code="logo_too_narrow",
        )
    has_alpha = image.mode in {"RGBA", "LA", "PA", "La", "RGBa"} or (
        image.mode == "P" and "transparency" in image.info
    )
    mode = "RGBA" if has_alpha else "RGB"
    image = image.convert(mode)
    if image.width > LOGO_STORED_MAX_WIDTH:
        height = max(1, round(image.height * LOGO_STORED_MAX_WIDTH / image.width))
        image = image.resize((LOGO_STORED_MAX_WIDTH, height), Image.Resampling.LANCZOS)
    # A fresh image carries the pixels only: no EXIF, ICC profile, text chunks or comments.
    clean = Image.new(mode, image.size)
    clean.paste(image)
    buffer = io.BytesIO()
    clean.save(buffer, format="PNG", optimize=True)
    return CleanLogo(content=buffer.getvalue(), width=clean.width, height=clean.height)
