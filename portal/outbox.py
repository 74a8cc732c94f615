"""The transactional outbox behind ``task.delay_on_commit`` (portal.celery)."""

from __future__ import annotations

import logging
from datetime import timedelta
from functools import partial

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from portal.models import OutboxTask

logger = logging.getLogger(__name__)

# Publishing waits this long for the broker before leaving the row to the relay.
PUBLISH_RETRY_POLICY = {"max_retries": 2, "interval_start": 0, "interval_step": 0.5}
# The relay leaves fresh rows to the publisher that follows their commit.
RELAY_GRACE = timedelta(seconds=30)
RELAY_BATCH = 200


def outbox_enqueue(*, task_name: str, args: tuple, kwargs: dict) -> OutboxTask:
    message = OutboxTask.objects.create(task_name=task_name, args=list(args), kwargs=kwargs)
    # robust: a failure is logged, never turned into an error for a committed request.
    transaction.on_commit(partial(outbox_publish, ids=[message.pk]), robust=True)
    return message


def outbox_publish(*, ids: list[int]) -> int:
    """Send the given waiting rows; returns how many were sent. A row that cannot be sent
    keeps waiting for the relay, with the error recorded."""
    from portal.celery import app

    sent = 0
    with transaction.atomic():
        rows = OutboxTask.objects.select_for_update(skip_locked=True).filter(
            pk__in=ids, sent_at__isnull=True
        )
        for row in rows:
            try:
                app.send_task(
                    row.task_name,
                    args=row.args,
                    kwargs=row.kwargs,
                    retry=True,
                    retry_policy=PUBLISH_RETRY_POLICY,
                )
            except Exception as exc:  # any broker failure leaves the row waiting
                logger.warning("outbox: could not send %s #%s: %s", row.task_name, row.pk, exc)
                row.attempts += 1
                row.last_error = str(exc)[:2000]
                row.save(update_fields=["attempts", "last_error"])
                break  # the broker is down: the relay tries the rest later
            row.sent_at = timezone.now()
            row.attempts += 1
            row.save(update_fields=["sent_at", "attempts"])
            sent += 1
    return sent


def outbox_relay() -> int:
    """Send what the publisher after commit could not (the relay task, every 30 s)."""
    cutoff = timezone.now() - RELAY_GRACE
    ids = list(
        OutboxTask.objects.filter(sent_at__isnull=True, created_at__lte=cutoff).values_list(
            "pk", flat=True
        )[:RELAY_BATCH]
    )
    return outbox_publish(ids=ids) if ids else 0


def outbox_purge(*, now=None) -> int:
    """Delete rows sent longer ago than ``settings.OUTBOX_RETENTION``; returns how many.

    A sent row has done its job; keeping it only keeps personal data (addresses, names)
    around. Rows still waiting are never purged: the relay still needs them."""
    cutoff = (now or timezone.now()) - settings.OUTBOX_RETENTION
    deleted, _ = OutboxTask.objects.filter(sent_at__lt=cutoff).delete()
    if deleted:
        logger.info("outbox: purged %s sent row(s) older than %s", deleted, cutoff.isoformat())
    return deleted
