"""The Celery app.

Every task runs inside a named system context (``task:<name>``): a task never runs with
whatever role the worker connected as, and a task that needs one tenant's view nests
``tenant_context``. Tasks are enqueued only after the surrounding transaction commits
(``delay_on_commit``), so a worker never looks for a row that is not there yet, and
through a transactional outbox, so a broker outage at that moment loses nothing.
"""

import logging
import os

from celery import Celery
from celery.contrib.django.task import DjangoTask
from celery.signals import worker_ready

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings.development")

logger = logging.getLogger(__name__)


class SystemContextTask(DjangoTask):
    # Every task of ours is written to be idempotent, so a message may be redelivered
    # after a lost worker (acks_late + reject_on_worker_lost, set in settings).
    retry_backoff = True
    retry_backoff_max = 600
    retry_jitter = True

    def __call__(self, *args, **kwargs):
        from portal.tenancy.context import system_context

        with system_context(f"task:{self.name}"):
            return super().__call__(*args, **kwargs)

    def delay_on_commit(self, *args, **kwargs) -> None:
        """Enqueue after the transaction commits, durably: through the transactional
        outbox (portal.outbox) when a broker is configured; in-process otherwise."""
        if self.app.conf.task_always_eager:
            super().delay_on_commit(*args, **kwargs)
            return
        from portal.outbox import outbox_enqueue

        outbox_enqueue(task_name=self.name, args=args, kwargs=kwargs)


app = Celery("portal", task_cls=SystemContextTask)
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@worker_ready.connect
def _log_broker(sender=None, **_kwargs):
    logger.info("Celery worker ready on %s", app.conf.broker_url.split("@")[-1])
