"""Tasks run by a real worker over Redis, each in a named system context."""

import pytest
from django.conf import settings
from django.core import mail
from django.db import connection, transaction

from partners.models import Membership
from portal.celery import app
from portal.tasks import send_templated_email
from tests.celery_support import wait_for

pytestmark = pytest.mark.celery_worker

seen: dict[str, object] = {}


@app.task(name="tests.inspect_context")
def inspect_context(marker: str) -> None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT current_user, current_setting('app.bypass', true)")
        role, bypass = cursor.fetchone()
    seen[marker] = {"role": role, "bypass": bypass, "members": Membership.objects.count()}


def test_the_broker_is_redis(celery_worker):
    assert app.conf.broker_url.startswith("redis")
    assert settings.CELERY_TASK_ACKS_LATE is True


def test_a_task_runs_in_the_system_context_as_the_application_role(
    celery_worker, tenants_committed
):
    inspect_context.delay("ctx")
    result = wait_for(lambda: seen.get("ctx"))
    assert result == {"role": settings.TENANCY_DB_ROLE, "bypass": "on", "members": 3}


def test_an_email_task_sends_the_email_through_the_worker(celery_worker, settings):
    engine = settings.TEMPLATES[0]
    test_templates = settings.BASE_DIR / "tests/templates"
    settings.TEMPLATES = [{**engine, "DIRS": [*engine["DIRS"], test_templates]}]
    send_templated_email.delay(
        to=["someone@partner.example"],
        template="emails/test_message",
        context={"name": "Ada"},
    )
    wait_for(lambda: mail.outbox)
    assert mail.outbox[0].to == ["someone@partner.example"]
    assert "Ada" in mail.outbox[0].body


def test_tasks_enqueued_on_commit_are_not_sent_when_the_transaction_rolls_back(celery_worker):
    with transaction.atomic():
        inspect_context.delay_on_commit("rolled-back")
        transaction.set_rollback(True)
    with transaction.atomic():
        inspect_context.delay_on_commit("committed")
    wait_for(lambda: seen.get("committed"))
    assert "rolled-back" not in seen
