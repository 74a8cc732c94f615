"""Secrets (issue 6 §7): no link that grants anything waits in the outbox or crosses the
broker; sent outbox rows are purged; the admin shows no token or secret."""

from __future__ import annotations

import contextlib
import json
import re
from datetime import timedelta

import pytest
from allauth.mfa.models import Authenticator
from django.conf import settings
from django.contrib import admin
from django.core import mail
from django.core.management import call_command
from django.test import Client
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from rest_framework.test import APIClient

from licensing.models import SigningKey
from licensing.selectors.links import link_token
from licensing.services.activation import activation_activate
from partners.models import Invitation, PartnerApplication
from partners.selectors.team import token_hash
from partners.services.team import invitation_create, invitation_revoke, invitation_send
from portal.models import OutboxTask
from portal.tasks import purge_outbox
from tests.celery_support import wait_for
from tests.factories import UserFactory
from tests.licensing.factories_activation import activate_licence
from tests.licensing.factories_links import bound_licence
from tests.tenancy_support import observer

INVITATION_LINK = re.compile(r"/invitations/([A-Za-z0-9_-]+)/")
REPLY_LINK = re.compile(r"/apply/reply/([^/\s]+)/")

APPLICATION = {
    "company_name": "Fjord Systems AS",
    "country": "NO",
    "website": "https://fjord.example",
    "years_in_operation": 7,
    "partner_type": "reseller",
    "contact_name": "Ingrid Berg",
    "contact_email": "ingrid@fjord.example",
    "expectations": "Virtualization for Norwegian mid-sized firms.",
    "customer_to_resell_to": "Nordlys Shipping",
}


def _staff_browser() -> Client:
    browser = Client()
    browser.force_login(UserFactory(is_staff=True, is_superuser=True))
    return browser


def _links(pattern) -> list[str]:
    return [m for message in mail.outbox for m in pattern.findall(message.body)]


# --- the outbox holds ids, never links -------------------------------------------------------


@pytest.mark.celery_worker
def test_no_link_waits_in_the_outbox_or_crosses_the_broker(celery_worker, settings, tmp_path):
    settings.PRIVATE_MEDIA_ROOT = tmp_path
    call_command("load_programme", "vates", stdout=None)
    staff = _staff_browser()

    # Given an application, a request for information, and then an approval (which
    # invites the applicant as the new partner's first admin), all through the real broker
    assert APIClient().post("/api/v1/applications", APPLICATION, format="json").status_code == 201
    application_id = PartnerApplication.objects.get().pk
    base = f"/api/v1/staff/applications/{application_id}"
    response = staff.post(
        f"{base}/request-info", {"message": "Which regions?"}, content_type="application/json"
    )
    assert response.status_code == 200
    wait_for(lambda: _links(REPLY_LINK))
    reply = _links(REPLY_LINK)[0]
    assert Client().post(f"/apply/reply/{reply}/", {"reply": "All of Norway."}).status_code == 200
    assert staff.post(f"{base}/approve").status_code == 200
    wait_for(lambda: _links(INVITATION_LINK))
    (invitation_token,) = _links(INVITATION_LINK)

    # Then every task went through the outbox with ids only: no link, no token
    rows = list(OutboxTask.objects.order_by("created_at"))
    names = {row.task_name for row in rows}
    assert {"partners.send_invitation", "partners.send_application_reply_request"} <= names
    stored = json.dumps([[row.args, row.kwargs] for row in rows])
    for secret in (invitation_token, reply, token_hash(invitation_token)):
        assert secret not in stored
    assert "/invitations/" not in stored
    assert "/apply/reply/" not in stored

    # And the link the worker made works: only its hash is stored (committed by the task
    # right after the send, so the email can arrive a moment before it)
    def stored_hash():
        with observer():
            return Invitation.objects.get(email=APPLICATION["contact_email"]).token_hash

    assert wait_for(stored_hash) == token_hash(invitation_token)
    assert Client().get(f"/invitations/{invitation_token}/").status_code == 200


@pytest.mark.django_db
def test_the_invitation_email_is_sent_once_and_never_for_a_withdrawn_invitation(
    tenants, django_capture_on_commit_callbacks
):
    alice = tenants.alice
    # Created: no token exists until the task that sends the email mints it
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        invitation = invitation_create(
            organisation=alice.organisation,
            email="new@example.com",
            role="sales",
            invited_by=alice.admin,
        )
    assert invitation.token_hash is None
    assert len(callbacks) == 1

    # Sending twice (a redelivered message) emails once, with a link that works
    def send(invitation) -> bool:
        return invitation_send(
            invitation_id=str(invitation.pk),
            organisation_id=str(alice.organisation.pk),
            base_url="https://p.example",
        )

    assert send(invitation)
    assert not send(invitation)
    assert len(mail.outbox) == 1
    (token,) = _links(INVITATION_LINK)
    assert "https://p.example/invitations/" in mail.outbox[0].body
    with observer():
        invitation.refresh_from_db()
    assert invitation.token_hash == token_hash(token)

    # A withdrawn invitation whose email still waits is never sent
    with django_capture_on_commit_callbacks(execute=False):
        withdrawn = invitation_create(
            organisation=alice.organisation,
            email="other@example.com",
            role="sales",
            invited_by=alice.admin,
        )
    invitation_revoke(invitation=withdrawn, actor=alice.admin)
    assert not send(withdrawn)
    with observer():
        withdrawn.refresh_from_db()
    assert withdrawn.token_hash is None
    assert len(mail.outbox) == 1


# --- sent rows are purged --------------------------------------------------------------------


@pytest.mark.django_db
def test_sent_outbox_rows_are_purged_after_the_retention_period():
    now = timezone.now()
    retention = settings.OUTBOX_RETENTION
    assert retention == timedelta(days=7)
    hour = timedelta(hours=1)
    old_sent = OutboxTask.objects.create(task_name="t", sent_at=now - retention - hour)
    recent = OutboxTask.objects.create(task_name="t", sent_at=now - retention + hour)
    waiting = OutboxTask.objects.create(task_name="t")
    OutboxTask.objects.filter(pk=waiting.pk).update(created_at=now - timedelta(days=30))

    assert purge_outbox.apply().get() == 1
    assert purge_outbox.apply().get() == 0  # idempotent: a second beat finds nothing
    assert set(OutboxTask.objects.values_list("pk", flat=True)) == {recent.pk, waiting.pk}
    assert not OutboxTask.objects.filter(pk=old_sent.pk).exists()

    schedule = settings.CELERY_BEAT_SCHEDULE
    assert any(entry["task"] == "portal.purge_outbox" for entry in schedule.values())


# --- the admin shows no token ----------------------------------------------------------------


@pytest.mark.django_db
def test_no_admin_page_shows_a_token_or_secret(tenants, django_capture_on_commit_callbacks):
    # Given an emailed invitation, a reply link, and a staff member's TOTP authenticator
    call_command("load_programme", "vates", stdout=None)
    staff_user = UserFactory(is_staff=True, is_superuser=True)
    staff = Client()
    staff.force_login(staff_user)
    with django_capture_on_commit_callbacks(execute=True):
        invitation_create(
            organisation=tenants.alice.organisation,
            email="new@example.com",
            role="sales",
            invited_by=tenants.alice.admin,
        )
        response = APIClient().post("/api/v1/applications", APPLICATION, format="json")
    application_id = response.json()["id"]
    with django_capture_on_commit_callbacks(execute=True):
        staff.post(
            f"/api/v1/staff/applications/{application_id}/request-info",
            {"message": "Which regions?"},
            content_type="application/json",
        )
    (invitation_token,) = _links(INVITATION_LINK)
    (reply,) = _links(REPLY_LINK)
    totp_secret = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"
    Authenticator.objects.create(
        user=staff_user, type=Authenticator.Type.TOTP, data={"secret": totp_secret}
    )
    with observer():
        nonce = PartnerApplication.objects.get(pk=application_id).reply_nonce
    # And a customer's redemption link, a redeemed licence's key and the machine it runs on
    _, link = bound_licence(tenants.bob.organisation, email="buyer@customer.example")
    _, licence_key = activate_licence(organisation=tenants.bob.organisation)
    activation_activate(key=licence_key, fingerprint="machine-0001", hostname="vm-01")
    with observer():
        private_key = SigningKey.objects.get(is_current=True).private_key_encrypted
    secrets_ = {
        "invitation token": invitation_token,
        "invitation token hash": token_hash(invitation_token),
        "reply link": reply,
        "reply nonce": nonce,
        "TOTP secret": totp_secret,
        "redemption link": link_token(link),
        "licence key": licence_key,
        "signing key": private_key.splitlines()[1],
    }

    # When staff open every admin list, and every object's change and history page
    pages = 0
    for model in admin.site._registry:
        info = (model._meta.app_label, model._meta.model_name)
        urls = [reverse("admin:{}_{}_changelist".format(*info))]
        with observer():
            objects = list(model._default_manager.all()[:3])
        for obj in objects:
            for view in ("change", "history"):
                with contextlib.suppress(NoReverseMatch):  # a model without that page
                    urls.append(reverse("admin:{}_{}_{}".format(*info, view), args=[obj.pk]))
        for url in urls:
            response = staff.get(url)
            assert response.status_code == 200, url
            body = response.content.decode()
            pages += 1
            # Then none shows a token, a link's secret part or an authenticator's secret
            for what, secret in secrets_.items():
                assert secret not in body, f"{url} shows the {what}"
    assert pages > 30


@pytest.mark.django_db(transaction=True)
def test_the_upgrade_forgets_sent_rows_that_carried_a_link():
    """The data migration portal.0003 deletes what older versions left behind."""
    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor

    def row(template, sent):
        return OutboxTask.objects.create(
            task_name="portal.send_templated_email",
            kwargs={"to": ["x@example.com"], "template": template, "context": {}},
            sent_at=timezone.now() if sent else None,
        )

    from tests.tenancy_support import owner_session_for_tests

    # Unapplying the later schema migrations (the audit table and its trigger) needs the
    # owner, as `migrate` runs.
    executor = MigrationExecutor(connection)
    with owner_session_for_tests():
        executor.migrate([("portal", "0002_outbox")])
    try:
        OutboxTask.objects.all().delete()
        link = row("partners/emails/invitation", sent=True)
        reply = row("partners/emails/application_info_requested", sent=True)
        waiting = row("partners/emails/invitation", sent=False)
        other = row("partners/emails/application_received", sent=True)
    finally:
        executor = MigrationExecutor(connection)
        executor.loader.build_graph()
        with owner_session_for_tests():
            executor.migrate(executor.loader.graph.leaf_nodes())

    remaining = set(OutboxTask.objects.values_list("pk", flat=True))
    assert remaining == {waiting.pk, other.pk}
    assert link.pk not in remaining
    assert reply.pk not in remaining
