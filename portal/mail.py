"""Templated email: ``<template>_subject.txt``, ``_body.txt`` and (optional) ``_body.html``."""

from __future__ import annotations

import contextlib

from django.core.mail import EmailMultiAlternatives
from django.template import Context, TemplateDoesNotExist
from django.template.loader import get_template, render_to_string


def send_templated(*, to: list[str], template: str, context: dict) -> None:
    """Render and send now. Tasks call this; an email that carries a secret link is sent by
    a task that builds the link itself, so the link never waits in the outbox or broker."""
    subject = _render_text(f"{template}_subject.txt", context).strip()
    text = _render_text(f"{template}_body.txt", context)
    message = EmailMultiAlternatives(subject=" ".join(subject.split()), body=text, to=to)
    with contextlib.suppress(TemplateDoesNotExist):  # the HTML part is optional
        message.attach_alternative(render_to_string(f"{template}_body.html", context), "text/html")
    message.send()


def _render_text(name: str, context: dict) -> str:
    # Plain-text parts must not be HTML-escaped ("O'Brien & Co", not "O&#x27;Brien &amp; Co").
    return get_template(name).template.render(Context(context, autoescape=False))
