"""Tenancy fails closed: code that forgot its context sees no tenant row.

Every connection runs as the unprivileged application role from the moment it opens, with
no tenant and no bypass (portal.tenancy.connection). Test bodies normally observe every
tenant (tests/tenancy_support.py); these tests switch that off to see what product code
sees, and one runs ``manage.py shell`` in a separate process, exactly as an operator would.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from urllib.parse import quote

import pytest
from celery import shared_task
from django.conf import settings
from django.db import connection, transaction

from partners.models import Membership
from portal.tenancy.context import (
    SYSTEM_CONTEXTS,
    is_allowed_system_context,
    system_context,
    tenant_context,
)
from tests.tenancy_support import outside_any_context

ROOT = Path(__file__).resolve().parents[2]


def _current_user_and_settings():
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT current_user, current_setting('app.tenant_id', true), "
            "current_setting('app.bypass', true)"
        )
        return cursor.fetchone()


@pytest.mark.django_db
def test_code_outside_any_context_sees_no_tenant_row(tenants):
    assert Membership.objects.count() == 3  # the test body observes every tenant
    with outside_any_context():
        assert Membership.objects.count() == 0
        assert _current_user_and_settings() == (settings.TENANCY_DB_ROLE, "", "off")


@pytest.mark.django_db(transaction=True)
def test_a_new_connection_starts_as_the_application_role_seeing_nothing(tenants_committed):
    with outside_any_context():
        connection.close()
        assert _current_user_and_settings() == (settings.TENANCY_DB_ROLE, "", "off")
        assert Membership.objects.count() == 0
        # A forgotten context inside a transaction is no better off.
        with transaction.atomic():
            assert not Membership.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_an_on_commit_callback_after_the_context_sees_nothing(tenants_committed):
    seen = []
    with outside_any_context():
        with tenant_context(tenants_committed.bob.organisation.id):
            assert Membership.objects.count() == 1
            transaction.on_commit(lambda: seen.append(Membership.objects.count()))
        assert seen == [0]


@pytest.mark.django_db(transaction=True)
def test_manage_py_shell_sees_no_tenant_row(tenants_committed):
    # Given three committed memberships, and the test database's own URL
    db = connection.settings_dict
    host = db["HOST"] or ""
    credentials = f"{quote(db['USER'] or '')}:{quote(db['PASSWORD'] or '')}"
    if host.startswith("/"):  # a Unix socket directory (the embedded database)
        url = f"postgres://{credentials}@/{quote(host, safe='')}/{db['NAME']}"
    else:
        port = f":{db['PORT']}" if db["PORT"] else ""
        url = f"postgres://{credentials}@{host}{port}/{db['NAME']}"
    env = {
        **os.environ,
        "DATABASE_URL": url,
        "DJANGO_SETTINGS_MODULE": "portal.settings.development",
    }
    env.pop("REDIS_URL", None)
    code = (
        "from partners.models import Membership; from django.db import connection; "
        "c = connection.cursor(); c.execute('SELECT current_user'); "
        "print('seen:', Membership.objects.count(), c.fetchone()[0])"
    )
    # When an operator counts memberships in `manage.py shell`
    result = subprocess.run(
        [sys.executable, "manage.py", "shell", "--no-imports", "-c", code],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    # Then the shell saw none, as the application role
    assert result.returncode == 0, result.stderr
    assert f"seen: 0 {settings.TENANCY_DB_ROLE}" in result.stdout.splitlines()


def test_system_contexts_come_from_a_reviewed_list():
    # A new bypass is a change to this list, seen in review.
    assert {
        "staff:",
        "command:seed_demo",
        "command:load_programme",
        "command:load_catalogue",
        "command:move_private_files",
        "command:rotate_licence_key",
        "task:portal.relay_outbox",
        "task:partners.send_application_reply_request",
        "task:licensing.expire_licences",
        "task:licensing.remind_unredeemed_licences",
        "tenancy-resolve",
        "public:application",
        "public:application-reply",
        "public:invitation",
        "public:activation",
        "public:redemption",
        "public:licence-seats",
        "public:quote-signature",
        "public:redemption-code",
        "team:invitee-check",
        "deals:opportunity-check",
        "billing:distributor-terms",
        "task:deals.expire_registrations",
        "task:billing.issue_period_invoices",
        "task:billing.remind_overdue_invoices",
        "task:billing.expire_credits",
        "task:billing.remind_renewals",
        "task:partners.remind_sessions",
        "task:pes.evaluate_tiers",
        "task:pes.send_evaluation_notices",
        "command:evaluate_tiers",
        "bench:directory",
        "bench:pricing",
        "bench:quote-pdfs",
        "bench:invoice-pdfs",
        "bench:evaluation",
    } == SYSTEM_CONTEXTS
    assert is_allowed_system_context("staff:42")
    assert not is_allowed_system_context("staff:")
    assert not is_allowed_system_context("command:shell")
    with pytest.raises(ValueError, match="SYSTEM_CONTEXTS"):
        system_context("public:directory")


@shared_task(name="tests.count_memberships", tenancy="tenant")
def count_memberships(*, organisation_id: str) -> list[str]:
    return [str(pk) for pk in Membership.objects.values_list("organisation_id", flat=True)]


@shared_task(name="tests.count_memberships_anywhere")
def count_memberships_anywhere() -> int:
    return Membership.objects.count()


@pytest.mark.django_db
def test_a_tenant_task_sees_its_tenant_only_and_an_undeclared_one_sees_nothing(tenants):
    bob = str(tenants.bob.organisation.id)
    assert count_memberships.apply(kwargs={"organisation_id": bob}).get() == [bob]
    assert count_memberships_anywhere.apply().get() == 0
    with pytest.raises(ValueError, match="organisation_id"):
        count_memberships.apply(kwargs={"organisation_id": ""}).get()
