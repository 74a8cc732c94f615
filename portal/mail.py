"""Templated email: ``<template>_subject.txt``, ``_body.txt`` and (optional) ``_body.html``,
with optional attachments (a document the task read from storage; never through the broker).

Every email ends with the vendor's signature (``emails/signature.txt``: who sends it, its
registered address, its support contact; SPEC §3.12), added here so that no template can
forget it; templates also get ``vendor`` in their context."""

from __future__ import annotations

import contextlib

from django.core.mail import EmailMultiAlternatives
from django.template import Context, TemplateDoesNotExist
from django.template.loader import get_template, render_to_string

from portal.vendor.selectors import current_vendor

#: An attachment: file name, content, MIME type.
Attachment = tuple[str, bytes, str]


def send_templated(
    *, to: list[str], template: str, context: dict, attachments: list[Attachment] | None = None
) -> None:
    """Render and send now. Tasks call this; an email that carries a secret link is sent by
    a task that builds the link itself, so the link never waits in the outbox or broker.
    ``attachments`` are files the calling task read itself (a task's arguments are ids)."""
    context = {"vendor": current_vendor(), **context}
    subject = _render_text(f"{template}_subject.txt", context).strip()
    text = with_signature(_render_text(f"{template}_body.txt", context), context["vendor"])
    message = EmailMultiAlternatives(subject=" ".join(subject.split()), body=text, to=to)
    with contextlib.suppress(TemplateDoesNotExist):  # the HTML part is optional
        message.attach_alternative(render_to_string(f"{template}_body.html", context), "text/html")
    for name, content, mimetype in attachments or ():
        message.attach(name, content, mimetype)
    message.send()


def with_signature(text: str, vendor) -> str:
    """``text`` followed by the vendor's signature, after the standard "-- " separator."""
    signature = _render_text("emails/signature.txt", {"vendor": vendor}).strip("\n")
    return f"{text.rstrip()}\n\n-- \n{signature}\n"


def _render_text(name: str, context: dict) -> str:
    # Plain-text parts must not be HTML-escaped ("O'Brien & Co", not "O&#x27;Brien &amp; Co").
    return get_template(name).template.render(Context(context, autoescape=False))
