"""Tasks run by a real worker over Redis, each in the context it declares."""

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


def _inspect(marker: str) -> None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT current_user, current_setting('app.bypass', true)")
        role, bypass = cursor.fetchone()
    seen[marker] = {"role": role, "bypass": bypass, "members": Membership.objects.count()}


@app.task(name="tests.inspect_context")
def inspect_context(marker: str) -> None:
    _inspect(marker)


@app.task(name="tests.inspect_tenant_context", tenancy="tenant")
def inspect_tenant_context(marker: str, *, organisation_id: str) -> None:
    _inspect(marker)


def test_the_broker_is_redis(celery_worker):
    assert app.conf.broker_url.startswith("redis")
    assert settings.CELERY_TASK_ACKS_LATE is True


def test_a_task_runs_as_the_application_role_in_the_context_it_declares(
    celery_worker, tenants_committed
):
    # A task that declares nothing sees no tenant row; one tenant's task sees that tenant.
    inspect_context.delay("ctx")
    inspect_tenant_context.delay("bob", organisation_id=str(tenants_committed.bob.organisation.id))
    result = wait_for(lambda: seen.get("ctx"))
    assert result == {"role": settings.TENANCY_DB_ROLE, "bypass": "off", "members": 0}
    result = wait_for(lambda: seen.get("bob"))
    assert result == {"role": settings.TENANCY_DB_ROLE, "bypass": "off", "members": 1}


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
