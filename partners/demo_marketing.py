"""Demo marketing assets for the Vates programme (seed_demo): a "Reseller Partner" badge
for every reseller, a "Gold Partner" badge for tier 3 and above, a co-branded datasheet
and a case study for everyone. Files are generated here (Pillow, a one-page PDF), stored
by partners.services.marketing like an upload; an asset already there is left as it is."""

from __future__ import annotations

import io

from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image, ImageDraw

from partners.models import MarketingAsset, PartnerType, Programme
from partners.services.marketing import asset_save


def _badge(text: str, colour: tuple[int, int, int]) -> bytes:
    image = Image.new("RGB", (480, 160), colour)
    draw = ImageDraw.Draw(image)
    draw.rectangle((8, 8, 471, 151), outline=(255, 255, 255), width=4)
    draw.text((32, 64), text, fill=(255, 255, 255))
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return buffer.getvalue()


def _pdf(title: str, line: str) -> bytes:
    """A one-page PDF with two lines of text (valid cross-reference table)."""
    stream = f"BT /F1 20 Tf 72 720 Td ({title}) Tj 0 -32 Td /F1 12 Tf ({line}) Tj ET".encode()
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1,
        xref,
    )
    return bytes(out)


def _assets(types: dict[str, PartnerType]) -> list[dict]:
    reseller = [types["reseller"]] if "reseller" in types else []
    return [
        {
            "title": "Reseller Partner badge",
            "kind": MarketingAsset.Kind.BADGE,
            "description": "The badge for your website and email signature.",
            "partner_types": reseller,
            "min_tier_level": None,
            "file": ("reseller-partner-badge.png", _badge("Vates Reseller Partner", (0, 84, 166))),
        },
        {
            "title": "Gold Partner badge",
            "kind": MarketingAsset.Kind.BADGE,
            "description": "For partners of tier 3 and above.",
            "partner_types": [],
            "min_tier_level": 3,
            "file": ("gold-partner-badge.png", _badge("Vates Gold Partner", (176, 132, 24))),
        },
        {
            "title": "XCP-ng and Xen Orchestra datasheet (co-branded)",
            "kind": MarketingAsset.Kind.DATASHEET,
            "description": "Add your logo and contact details in the marked area.",
            "partner_types": [],
            "min_tier_level": None,
            "file": ("vates-vms-datasheet.pdf", _pdf("Vates VMS", "Your logo and contact here")),
        },
        {
            "title": "Case study: a regional hospital moves to XCP-ng",
            "kind": MarketingAsset.Kind.CASE_STUDY,
            "description": "Migration from a proprietary hypervisor in six weeks.",
            "partner_types": [],
            "min_tier_level": None,
            "file": ("case-study-hospital.pdf", _pdf("Case study", "A regional hospital")),
        },
    ]


def seed_marketing(stdout) -> None:
    """Run inside seed_demo's system context, after the partners' demo (the programme,
    the channel team's superuser)."""
    programme = Programme.objects.get(code="vates")
    types = {t.code: t for t in programme.types.all()}
    actor = get_user_model().objects.filter(is_staff=True, is_superuser=True).first()
    added = 0
    for row in _assets(types):
        if MarketingAsset.objects.filter(programme=programme, title=row["title"]).exists():
            continue
        name, content = row["file"]
        asset_save(
            actor=actor,
            programme=programme,
            title=row["title"],
            kind=row["kind"],
            description=row["description"],
            partner_types=row["partner_types"],
            min_tier_level=row["min_tier_level"],
            published=True,
            upload=SimpleUploadedFile(name, content),
        )
        added += 1
    stdout.write(f"  marketing: {added} assets added")
