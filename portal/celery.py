"""The Celery app.

Every task declares how it reaches the database (``tenancy``): one tenant's work (a
partner's document, an email to one partner) runs in that tenant's context, named by the
``organisation_id`` it receives; a platform job runs in its named system context
(``task:<name>``, which must be in SYSTEM_CONTEXTS); anything else runs outside any
context, where no tenant row is visible.

Tasks are enqueued only after the surrounding transaction commits (``delay_on_commit``),
so a worker never looks for a row that is not there yet, and through a transactional
outbox, so a broker outage at that moment loses nothing.
"""

import logging
import os

from celery import Celery
from celery.contrib.django.task import DjangoTask
from celery.signals import worker_ready

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings.development")

logger = logging.getLogger(__name__)


class ContextTask(DjangoTask):
    # Every task of ours is written to be idempotent, so a message may be redelivered
    # after a lost worker (acks_late + reject_on_worker_lost, set in settings).
    retry_backoff = True
    retry_backoff_max = 600
    retry_jitter = True

    #: "tenant": the task takes ``organisation_id`` and sees that tenant's rows only;
    #: "system": a platform job in its named system context; "none": no tenant rows.
    tenancy = "none"

    def __call__(self, *args, **kwargs):
        from portal.tenancy.context import public_context, system_context, tenant_context

        if self.tenancy == "tenant":
            organisation_id = kwargs.get("organisation_id")
            if not organisation_id:
                raise ValueError(f"{self.name} runs for one tenant: pass organisation_id")
            context = tenant_context(organisation_id)
        elif self.tenancy == "system":
            context = system_context(f"task:{self.name}")
        elif self.tenancy == "none":
            context = public_context()
        else:
            raise ValueError(f"{self.name}: unknown tenancy {self.tenancy!r}")
        with context:
            return super().__call__(*args, **kwargs)

    def delay_on_commit(self, *args, **kwargs) -> None:
        """Enqueue after the transaction commits, durably: through the transactional
        outbox (portal.outbox) when a broker is configured; in-process otherwise."""
        if self.app.conf.task_always_eager:
            super().delay_on_commit(*args, **kwargs)
            return
        from portal.outbox import outbox_enqueue

        outbox_enqueue(task_name=self.name, args=args, kwargs=kwargs)


app = Celery("portal", task_cls=ContextTask)
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@worker_ready.connect
def _log_broker(sender=None, **_kwargs):
    logger.info("Celery worker ready on %s", app.conf.broker_url.split("@")[-1])
