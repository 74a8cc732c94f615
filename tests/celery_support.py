"""A real Celery worker for the tests that are about tasks.

It is Celery's own embedded worker (a thread of the test process) consuming from the real
Redis broker on a queue of this test run's own, against the test database, so a task runs
exactly as in production: serialized, sent, received, acknowledged.
"""

import os
import time

import pytest
import redis
from celery.contrib.testing.worker import start_worker
from django.conf import settings

from portal.celery import app


def require_redis() -> None:
    if not settings.REDIS_URL:
        message = "REDIS_URL is not set: the Celery worker tests need a real Redis broker"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    try:
        redis.Redis.from_url(settings.REDIS_URL, socket_connect_timeout=2).ping()
    except redis.RedisError as exc:
        pytest.fail(f"Redis at REDIS_URL does not answer: {exc}")


@pytest.fixture
def celery_worker(transactional_db):
    require_redis()
    app.conf.task_always_eager = False
    try:
        with start_worker(app, perform_ping_check=False, loglevel="WARNING") as worker:
            yield worker
    finally:
        app.conf.task_always_eager = True


def wait_for(condition, timeout: float = 15.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(0.05)
    raise AssertionError("timed out waiting for the worker")
