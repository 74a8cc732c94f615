"""Platform tasks shared by every app, and the body every document-rendering task shares."""

import logging
from collections.abc import Callable

from celery import shared_task

from portal.mail import send_templated

logger = logging.getLogger(__name__)


def render_or_mark_failed(
    task, *, render: Callable[[], object], mark_failed: Callable[[], None], what: str
) -> None:
    """Run ``render`` (idempotent), retrying ``task`` (bound, with max_retries) on any
    error. Out of retries: record the failure (the page says so) and return, so the task's
    transaction commits that record instead of rolling it back."""
    try:
        render()
    except Exception as exc:
        if task.request.retries < task.max_retries:
            raise task.retry(exc=exc) from exc
        logger.exception("%s: documents could not be rendered", what)
        mark_failed()


@shared_task(
    name="portal.send_templated_email",
    autoretry_for=(OSError,),
    max_retries=5,
)
def send_templated_email(*, to: list[str], template: str, context: dict) -> None:
    """Render and send an email. Retried with backoff while the mail server is unreachable.

    Its arguments wait in the outbox and travel through the broker in clear: never pass a
    secret (a token, a signed link) in ``context``. Emails with such links have tasks of
    their own that receive an id and build the link (partners.tasks)."""
    send_templated(to=to, template=template, context=context)


@shared_task(name="portal.relay_outbox", tenancy="system")
def relay_outbox() -> int:
    """Send the outbox rows the publisher after commit could not (scheduled by beat)."""
    from portal.outbox import outbox_relay

    return outbox_relay()


@shared_task(name="portal.purge_outbox")
def purge_outbox() -> int:
    """Delete outbox rows sent longer ago than OUTBOX_RETENTION (scheduled by beat).
    Idempotent: two beats running it at once delete the same rows once."""
    from portal.outbox import outbox_purge

    return outbox_purge()
