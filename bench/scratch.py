"""The benchmarks' scratch database: each benchmark works in its own PostgreSQL database (a
name containing "bench", created if missing), never in a developer's, with Django set up on
it in-process."""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path


def add_database_argument(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--database-url", default=os.environ.get("BENCH_DATABASE_URL"))


def scratch_database(parser: argparse.ArgumentParser, database_url: str | None, **environ) -> None:
    """Refuse a database whose name does not say "bench", create it if missing, and set
    Django up on it with ``environ`` (more settings' environment variables)."""
    if not database_url or "bench" not in database_url:
        parser.error("give --database-url of a database whose name contains 'bench'")
    _ensure_database(database_url)
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    os.environ["DATABASE_URL"] = database_url
    os.environ["ALLOWED_HOSTS"] = "testserver"
    os.environ.update(environ)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings.test")
    import django

    django.setup()


def _ensure_database(database_url: str) -> None:
    from urllib.parse import urlparse

    import psycopg2
    from psycopg2 import sql

    url = urlparse(database_url)
    name = url.path.lstrip("/")
    admin = psycopg2.connect(database_url.replace(url.path, "/postgres", 1))
    admin.autocommit = True
    with admin.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name])
        if cursor.fetchone() is None:
            cursor.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    admin.close()
