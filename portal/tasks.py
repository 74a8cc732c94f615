"""Platform tasks shared by every app."""

import contextlib

from celery import shared_task
from django.core.mail import EmailMultiAlternatives
from django.template import Context, TemplateDoesNotExist
from django.template.loader import get_template, render_to_string


@shared_task(
    name="portal.send_templated_email",
    autoretry_for=(OSError,),
    max_retries=5,
)
def send_templated_email(*, to: list[str], template: str, context: dict) -> None:
    """Render ``<template>_subject.txt``, ``_body.txt`` and (if present) ``_body.html`` and
    send them. Retried with backoff while the mail server is unreachable."""
    subject = _render_text(f"{template}_subject.txt", context).strip()
    text = _render_text(f"{template}_body.txt", context)
    message = EmailMultiAlternatives(subject=" ".join(subject.split()), body=text, to=to)
    with contextlib.suppress(TemplateDoesNotExist):  # the HTML part is optional
        message.attach_alternative(render_to_string(f"{template}_body.html", context), "text/html")
    message.send()


def _render_text(name: str, context: dict) -> str:
    # Plain-text parts must not be HTML-escaped ("O'Brien & Co", not "O&#x27;Brien &amp; Co").
    return get_template(name).template.render(Context(context, autoescape=False))


@shared_task(name="portal.relay_outbox", tenancy="system")
def relay_outbox() -> int:
    """Send the outbox rows the publisher after commit could not (scheduled by beat)."""
    from portal.outbox import outbox_relay

    return outbox_relay()
