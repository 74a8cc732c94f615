"""Writing the vendor: ``vendor_validate`` (the admin's form shows its errors beside the
fields) and ``vendor_update`` (validates again, writes, records the change)."""

from __future__ import annotations

import warnings
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import EmailValidator, URLValidator
from django.db import transaction
from PIL import Image, UnidentifiedImageError

from portal.audit.services import audit_record, audit_values
from portal.errors import DomainError, Forbidden
from portal.models import Vendor
from portal.permissions import require_staff_permission
from portal.tenancy.context import current_context
from portal.vendor import validation

#: Every field the channel team edits (``logo`` is an uploaded file or None to keep it).
EDITABLE_FIELDS = (
    "brand_name",
    "logo",
    "legal_name",
    "registered_address",
    "country",
    "vat_number",
    "company_number",
    "company_registry",
    "governing_law",
    "courts",
    "bank_name",
    "iban",
    "bic",
    "support_email",
    "support_url",
    "channel_team_email",
    "channel_team_phone",
)
REQUIRED_FIELDS = (
    "brand_name",
    "legal_name",
    "registered_address",
    "country",
    "vat_number",
    "company_number",
    "governing_law",
    "courts",
    "support_email",
    "channel_team_email",
)

LOGO_MAX_BYTES = 1024 * 1024
LOGO_MAX_SIDE = 4000
LOGO_FORMATS = {"PNG": "png", "JPEG": "jpg", "WEBP": "webp"}


def vendor_validate(*, data: dict[str, Any]) -> dict[str, Any]:
    """The values as they are stored (identifiers compacted and upper-cased), or
    ``DomainError`` naming the first bad field."""
    unknown = set(data) - set(EDITABLE_FIELDS)
    if unknown:
        raise DomainError(
            f"These fields are not changed here: {', '.join(sorted(unknown))}.",
            code="not_editable",
        )
    values = {
        name: (value.strip() if isinstance(value, str) else value) for name, value in data.items()
    }
    for name in REQUIRED_FIELDS:
        if name in values and not values[name]:
            label = Vendor._meta.get_field(name).verbose_name
            raise DomainError(f"Enter the {label}.", field=name, code="required")

    _check(values, "company_number", _company_number_clean(values))
    siren = values.get("company_number") if _is_french(values) else None
    _check(values, "vat_number", lambda v: validation.vat_clean(v, siren=siren))
    _check(values, "iban", validation.iban_clean)
    _check(values, "bic", validation.bic_clean)
    if bool(values.get("iban")) != bool(values.get("bic")) and {"iban", "bic"} <= set(values):
        missing = "bic" if values.get("iban") else "iban"
        raise DomainError(
            "Wire transfers need both the IBAN and the BIC.", field=missing, code="required"
        )
    for name in ("support_email", "channel_team_email"):
        _check(values, name, _django_validator(EmailValidator()))
    _check(values, "support_url", _django_validator(URLValidator(schemes=["https"])))
    if values.get("logo"):
        _check_logo(values["logo"])
    return values


def _is_french(values: dict) -> bool:
    return str(values.get("country") or "") == "FR"


def _company_number_clean(values: dict):
    if _is_french(values):
        return validation.siren_clean
    return validation.compact


def _check(values: dict, name: str, clean) -> None:
    if not values.get(name):
        return
    try:
        values[name] = clean(values[name])
    except ValueError as exc:
        raise DomainError(str(exc), field=name, code="invalid") from exc


def _django_validator(validator):
    def clean(value: str) -> str:
        try:
            validator(value)
        except ValidationError as exc:
            raise ValueError(exc.messages[0]) from exc
        return value

    return clean


def _check_logo(upload) -> None:
    size = getattr(upload, "size", None)
    if size is not None and size > LOGO_MAX_BYTES:
        raise DomainError("The logo must be at most 1 MB.", field="logo", code="too_large")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            # Image.open reads the header only: the size is refused before any decoding.
            with Image.open(upload, formats=list(LOGO_FORMATS)) as image:
                width, height = image.size
                if width > LOGO_MAX_SIDE or height > LOGO_MAX_SIDE:
                    raise DomainError(
                        f"The logo must be at most {LOGO_MAX_SIDE} pixels on each side.",
                        field="logo",
                        code="too_large",
                    )
                image.verify()
    except (UnidentifiedImageError, OSError, Image.DecompressionBombWarning, SyntaxError) as exc:
        raise DomainError(
            "Upload the logo as a PNG, JPEG or WebP image.", field="logo", code="invalid_image"
        ) from exc
    finally:
        if hasattr(upload, "seek"):
            upload.seek(0)


def vendor_update(*, changes: dict[str, Any], actor) -> Vendor:
    """Create or change the vendor and record what changed. ``actor`` is a channel-team
    member with ``portal.change_vendor``, or None for a system command (``seed_demo``):
    None is refused anywhere else, so a caller cannot skip the permission by passing it."""
    if actor is None:
        ctx = current_context()
        if ctx is None or not ctx.is_system:
            raise Forbidden(
                "Only the channel team may change the vendor.", code="permission_denied"
            )
    else:
        require_staff_permission(actor, "portal.change_vendor")
    values = vendor_validate(data=changes)
    with transaction.atomic():
        vendor = Vendor.objects.select_for_update().filter(key=1).first()
        created = vendor is None
        if created:
            vendor = Vendor(pk=1, key=1)  # one row, at a stable admin URL
        merged = {name: values[name] for name in EDITABLE_FIELDS if name in values}
        if not merged.get("logo"):
            merged.pop("logo", None)  # no upload keeps the current logo
        # Rules that span fields are judged on the row as it will be.
        vendor_validate(
            data={name: merged.get(name, getattr(vendor, name)) for name in EDITABLE_FIELDS}
            | {"logo": None}
        )
        changed = [
            name
            for name, value in merged.items()
            if name == "logo" or created or getattr(vendor, name) != value
        ]
        before = {} if created else audit_values(vendor, changed)
        for name in changed:
            setattr(vendor, name, merged[name])
        if not changed and not created:
            return vendor
        vendor.save()
        after = audit_values(vendor, changed)
        audit_record(
            actor=actor,
            action="vendor.created" if created else "vendor.changed",
            obj=vendor,
            organisation=None,
            before=before,
            after=after,
            summary=(
                f"Vendor set to {vendor.legal_name}"
                if created
                else f"Vendor {vendor.legal_name}: "
                + ", ".join(str(Vendor._meta.get_field(n).verbose_name) for n in changed)
                + " changed"
            ),
        )
    return vendor
