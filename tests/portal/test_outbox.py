"""The transactional outbox: a committed change never loses its task, even when the
broker is down at the moment of the commit."""

from contextlib import contextmanager
from datetime import timedelta

import pytest
from django.core import mail
from django.core.management import call_command
from django.utils import timezone
from rest_framework.test import APIClient

from partners.models import PartnerApplication
from portal.celery import app
from portal.models import OutboxTask
from portal.tasks import relay_outbox
from tests.celery_support import wait_for

pytestmark = pytest.mark.celery_worker

APPLICATION = {
    "company_name": "Fjord Systems AS",
    "country": "NO",
    "website": "https://fjord.example",
    "years_in_operation": 7,
    "partner_type": "reseller",
    "contact_name": "Ingrid Berg",
    "contact_email": "ingrid@fjord.example",
    "expectations": "Virtualization for Norwegian mid-sized firms.",
}


@contextmanager
def broker_down():
    """A real outage: point the app at a port nothing listens on."""
    real = app.conf.broker_url
    _switch_broker("redis://127.0.0.1:1/0")
    try:
        yield
    finally:
        _switch_broker(real)


def _switch_broker(url: str) -> None:
    # New pools for the new address; the old ones are left open, not closed: kombu keeps
    # producer pools per connection in a registry that would hand a closed one back.
    app._pool = None
    app.amqp._producer_pool = None
    app.conf.broker_url = url


@pytest.fixture
def vates(celery_worker):
    call_command("load_programme", "vates", stdout=None)


def test_a_committed_change_publishes_its_tasks_through_the_outbox(vates):
    response = APIClient().post("/api/v1/applications", APPLICATION, format="json")

    assert response.status_code == 201
    rows = list(OutboxTask.objects.all())
    assert {r.task_name for r in rows} == {"portal.send_templated_email"}
    assert all(r.sent_at is not None for r in rows)
    wait_for(lambda: len(mail.outbox) == 2)


def test_a_broker_outage_at_commit_loses_nothing(vates):
    # Given the broker is down when the applicant submits
    with broker_down():
        response = APIClient().post("/api/v1/applications", APPLICATION, format="json")

    # Then the applicant still gets their answer, and the change is committed...
    assert response.status_code == 201
    assert PartnerApplication.objects.count() == 1
    waiting = OutboxTask.objects.filter(sent_at__isnull=True)
    assert waiting.count() == 2
    assert all(row.last_error for row in waiting[:1])
    assert mail.outbox == []

    # ...and once the broker is back, the relay sends what waited
    OutboxTask.objects.update(created_at=timezone.now() - timedelta(minutes=1))
    assert relay_outbox.apply().get() == 2
    wait_for(lambda: len(mail.outbox) == 2)
    assert sorted(m.to[0] for m in mail.outbox) == [
        "channel-team@vendor.example",
        "ingrid@fjord.example",
    ]
    assert not OutboxTask.objects.filter(sent_at__isnull=True).exists()


def test_the_relay_leaves_fresh_rows_to_their_publisher(celery_worker):
    OutboxTask.objects.create(task_name="portal.relay_outbox")
    assert relay_outbox.apply().get() == 0
