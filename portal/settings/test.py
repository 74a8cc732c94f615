"""Test settings: the development defaults, made fast and deterministic."""

import uuid

from .development import *  # noqa: F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
STORAGES = {
    **STORAGES,  # noqa: F405
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
# Tasks run in-process unless a test starts a real worker (tests/celery_support.py).
CELERY_TASK_ALWAYS_EAGER = True
# A queue of our own, so a development worker on the same Redis never takes test tasks.
CELERY_TASK_DEFAULT_QUEUE = f"portal-test-{uuid.uuid4().hex[:8]}"
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
MFA_REQUIRED_FOR_STAFF = False
