"""Every template obeys the Content-Security-Policy: no inline scripts or styles."""

import re
from pathlib import Path

from django.conf import settings

INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)[^>]*>", re.IGNORECASE)
STYLE_ATTRIBUTE = re.compile(r"\sstyle\s*=", re.IGNORECASE)
STYLE_BLOCK = re.compile(r"<style[\s>]", re.IGNORECASE)
EVENT_HANDLER = re.compile(r"\son[a-z]+\s*=\s*[\"']", re.IGNORECASE)
COMMENTS = re.compile(r"\{#.*?#\}|\{% comment %\}.*?\{% endcomment %\}", re.DOTALL)

# Rendered by WeasyPrint into PDFs, never served to a browser.
PDF_TEMPLATES = ("templates/partners/pdf/", "templates/billing/pdf/")


def _html_templates():
    roots = [Path(settings.BASE_DIR) / "templates"]
    roots += [
        Path(settings.BASE_DIR) / app / "templates"
        for app in ("portal", "partners", "deals", "licensing", "billing", "pes")
    ]
    for root in roots:
        if root.exists():
            yield from (
                p
                for p in root.rglob("*.html")
                if not any(pdf in p.as_posix() for pdf in PDF_TEMPLATES)
            )


def test_no_template_has_inline_script_or_style():
    offenders = []
    for path in _html_templates():
        text = COMMENTS.sub("", path.read_text())
        for pattern in (INLINE_SCRIPT, STYLE_ATTRIBUTE, STYLE_BLOCK, EVENT_HANDLER):
            if pattern.search(text):
                offenders.append(f"{path.relative_to(settings.BASE_DIR)}: {pattern.pattern}")
    assert offenders == []
