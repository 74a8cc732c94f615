"""Binding a licence to its end customer (SPEC §3.7): the API, the reseller-space page,
who may bind, rebinding and resending (the old link dies at once), and the reminders."""

from __future__ import annotations

import datetime
import re

import pytest
from django.core import mail
from django.test import Client
from django.utils import timezone

from licensing.models import CustomerLink, Licence, LicenceEvent
from licensing.selectors.links import link_token
from licensing.services.binding import (
    licence_bind,
    licence_link_resend,
    redemption_reminders_send,
)
from licensing.tasks import remind_unredeemed_licences
from partners.models import Membership, Organisation
from portal.errors import Conflict, Forbidden
from portal.models import AuditEvent, OutboxTask
from tests.factories import MembershipFactory, staff_user
from tests.licensing.factories import issue_licence
from tests.licensing.factories_links import bound_licence, redeem

pytestmark = pytest.mark.django_db

REDEEM_LINK = re.compile(r"http://127\.0\.0\.1:8000(/licence/redeem/[^/\s]+/)")


def _link_in(message) -> str:
    match = REDEEM_LINK.search(message.body)
    assert match, message.body
    return match.group(1)


def _api_for(tenant, role: str):
    if role == Membership.Role.ADMIN:
        return tenant.api()
    member = MembershipFactory(organisation=tenant.organisation, role=role)
    from tests.routes.harness import token_client

    return token_client(member.user)


@pytest.fixture(autouse=True)
def _portal_url(settings):
    settings.PORTAL_BASE_URL = "http://127.0.0.1:8000"


# --- binding through the API ------------------------------------------------------------


def test_bind_emails_the_customer_a_link_and_records_the_event(
    tenants, django_capture_on_commit_callbacks
):
    # Given an unbound licence of bob's
    licence = issue_licence(tenants.bob.organisation)

    # When bob's admin binds it to the customer's email through the API
    with django_capture_on_commit_callbacks(execute=True):
        response = tenants.bob.api().post(
            f"/api/v1/licences/{licence.pk}/bind",
            {"email": " IT@Customer.example "},
            format="json",
        )

    # Then the licence is bound and the answer says until when the link works
    assert response.status_code == 200, response.content
    body = response.json()
    licence.refresh_from_db()
    link = CustomerLink.objects.get(licence=licence)
    assert body == {
        "id": str(licence.pk),
        "status": "bound",
        "customer_email": "it@customer.example",
        "bound_at": body["bound_at"],
        "link_expires_at": body["link_expires_at"],
    }
    assert licence.status == Licence.Status.BOUND
    assert licence.bound_at is not None
    assert link.expires_at - licence.bound_at == datetime.timedelta(days=14)
    assert body["link_expires_at"].startswith(link.expires_at.strftime("%Y-%m-%dT%H:%M"))

    # And the customer got one email with the product, the term and the link
    assert len(mail.outbox) == 1
    email = mail.outbox[0]
    assert email.to == ["it@customer.example"]
    assert email.subject == "Bob Resellers sent you a licence: Vates VMS Pro"
    assert "3 hosts" in email.body
    assert "you will not receive an invoice" in email.body
    assert _link_in(email) == f"/licence/redeem/{link_token(link)}/"

    # And the history and the audit trail name who bound it
    event = licence.events.get(kind=LicenceEvent.Kind.BOUND)
    assert event.actor == tenants.bob.admin
    assert "Bound to it@customer.example" in event.summary
    audit = AuditEvent.objects.get(action="licence.bound")
    assert audit.actor_label == tenants.bob.admin.email
    assert audit.after["status"] == "bound"

    # And no link (or any token) waits in the outbox: the task made it from the id
    for row in OutboxTask.objects.all():
        assert "licence/redeem" not in str(row.kwargs)


def test_rebinding_moves_the_licence_and_kills_the_first_link_at_once(
    tenants, django_capture_on_commit_callbacks
):
    licence, first = bound_licence(tenants.bob.organisation, email="first@customer.example")
    with django_capture_on_commit_callbacks(execute=True):
        response = tenants.bob.api().post(
            f"/api/v1/licences/{licence.pk}/bind",
            {"email": "second@customer.example"},
            format="json",
        )
    assert response.status_code == 200, response.content
    first.refresh_from_db()
    assert first.revoked_at is not None
    second = CustomerLink.objects.get(licence=licence, revoked_at__isnull=True)
    assert second.email == "second@customer.example"
    assert [m.to for m in mail.outbox] == [["second@customer.example"]]
    rebound = licence.events.get(kind=LicenceEvent.Kind.REBOUND)
    assert rebound.detail["previous_email"] == "first@customer.example"

    # The first customer's link answers with a clear page, not the form
    page = Client().get(f"/licence/redeem/{link_token(first)}/")
    assert page.status_code == 410
    assert "assigned to another recipient" in page.content.decode()


def test_binding_again_to_the_same_address_asks_for_a_resend_instead(tenants):
    licence, _ = bound_licence(tenants.bob.organisation)
    response = tenants.bob.api().post(
        f"/api/v1/licences/{licence.pk}/bind", {"email": licence.customer_email}, format="json"
    )
    assert response.status_code == 409
    assert response.json()["code"] == "already_bound"


def test_resend_makes_a_new_link_and_the_older_email_says_to_use_the_newest(
    tenants, django_capture_on_commit_callbacks
):
    licence, first = bound_licence(tenants.bob.organisation)
    with django_capture_on_commit_callbacks(execute=True):
        response = tenants.bob.api().post(f"/api/v1/licences/{licence.pk}/resend")
    assert response.status_code == 200, response.content
    first.refresh_from_db()
    newest = CustomerLink.objects.get(licence=licence, revoked_at__isnull=True)
    assert first.revoked_at is not None
    assert newest.pk != first.pk
    assert response.json()["link_expires_at"].startswith(
        newest.expires_at.strftime("%Y-%m-%dT%H:%M")
    )
    assert _link_in(mail.outbox[-1]) == f"/licence/redeem/{link_token(newest)}/"
    assert licence.events.filter(kind=LicenceEvent.Kind.LINK_SENT, actor=tenants.bob.admin)

    old = Client().get(f"/licence/redeem/{link_token(first)}/")
    assert old.status_code == 410
    assert "A newer link was sent" in old.content.decode()
    assert Client().get(f"/licence/redeem/{link_token(newest)}/").status_code == 200


@pytest.mark.parametrize(
    ("status", "code"),
    [("active", "not_bindable"), ("expired", "not_bindable"), ("cancelled", "not_bindable")],
)
def test_only_unbound_or_not_yet_redeemed_licences_may_be_bound(tenants, status, code):
    licence, link = bound_licence(tenants.bob.organisation)
    if status == "active":
        redeem(link)
    else:
        Licence.objects.filter(pk=licence.pk).update(status=status)
    client = tenants.bob.api()
    response = client.post(
        f"/api/v1/licences/{licence.pk}/bind", {"email": "x@customer.example"}, format="json"
    )
    assert response.status_code == 409
    assert response.json()["code"] == code
    assert client.post(f"/api/v1/licences/{licence.pk}/resend").json()["code"] == "not_bound"


def test_an_unbound_licence_has_no_link_to_resend(tenants):
    licence = issue_licence(tenants.bob.organisation)
    response = tenants.bob.api().post(f"/api/v1/licences/{licence.pk}/resend")
    assert response.status_code == 409
    assert response.json()["code"] == "not_bound"


@pytest.mark.parametrize("kind", ["trial", "nfr", "evaluation"])
def test_trials_nfr_and_evaluation_licences_are_bound_the_same_way(tenants, kind):
    licence = issue_licence(tenants.bob.organisation, kind=kind, customer_name="Prospect SA")
    response = tenants.bob.api().post(
        f"/api/v1/licences/{licence.pk}/bind", {"email": "poc@prospect.example"}, format="json"
    )
    assert response.status_code == 200, response.content
    assert response.json()["status"] == "bound"


def test_bad_input_gets_400_with_the_field(tenants):
    licence = issue_licence(tenants.bob.organisation)
    client = tenants.bob.api()
    for body in ({}, {"email": "not-an-address"}, {"email": 42}, {"email": "a@b." * 80}):
        response = client.post(f"/api/v1/licences/{licence.pk}/bind", body, format="json")
        assert response.status_code == 400, (body, response.content)
        assert "email" in response.json()["fields"]
    licence.refresh_from_db()
    assert licence.status == Licence.Status.UNBOUND


# --- who may bind -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("role", "expected"), [("admin", 200), ("sales", 200), ("technical", 200), ("finance", 403)]
)
def test_sales_technical_and_admins_bind_finance_may_not(tenants, role, expected):
    licence = issue_licence(tenants.bob.organisation)
    response = _api_for(tenants.bob, role).post(
        f"/api/v1/licences/{licence.pk}/bind", {"email": "it@customer.example"}, format="json"
    )
    assert response.status_code == expected, response.content
    licence.refresh_from_db()
    assert licence.status == ("bound" if expected == 200 else "unbound")


def test_a_distributor_reads_its_resellers_licence_but_cannot_bind_it(tenants):
    # Given bob's licence sold through alice (bob's distributor): alice may read it
    Organisation.objects.filter(pk=tenants.bob.organisation.pk).update(
        distributor=tenants.alice.organisation
    )
    licence = issue_licence(tenants.bob.organisation, distributor=tenants.alice.organisation)
    assert Licence.objects.for_tenant(tenants.alice.organisation).filter(pk=licence.pk).exists()

    # When alice's admin tries to bind or resend it, through the API or the page
    client = tenants.alice.api()
    bind = client.post(
        f"/api/v1/licences/{licence.pk}/bind", {"email": "x@customer.example"}, format="json"
    )
    resend = client.post(f"/api/v1/licences/{licence.pk}/resend")
    page = tenants.alice.browser().get(f"/space/licences/{licence.pk}/bind/")
    post = tenants.alice.browser().post(
        f"/space/licences/{licence.pk}/bind/", {"action": "bind", "email": "x@customer.example"}
    )

    # Then it is not found, as any other tenant's licence, and nothing changed
    assert (bind.status_code, resend.status_code, page.status_code, post.status_code) == (
        404,
        404,
        404,
        404,
    )
    licence.refresh_from_db()
    assert licence.status == Licence.Status.UNBOUND
    assert not CustomerLink.objects.filter(licence=licence).exists()

    # And the service refuses alice's admin too, whoever calls it
    with pytest.raises(Forbidden):
        licence_bind(actor=tenants.alice.admin, licence=licence, email="x@customer.example")


def test_the_channel_team_binds_with_the_permission_only(tenants):
    licence = issue_licence(tenants.bob.organisation)
    with pytest.raises(Forbidden):
        licence_bind(actor=staff_user(), licence=licence, email="x@customer.example")
    link = licence_bind(
        actor=staff_user("licensing.manage_licences"), licence=licence, email="x@customer.example"
    )
    assert link.licence.status == Licence.Status.BOUND
    with pytest.raises(Forbidden):
        licence_link_resend(actor=None, licence=licence)


# --- the page ---------------------------------------------------------------------------


def test_the_page_binds_resends_and_rebinds(tenants, django_capture_on_commit_callbacks):
    licence = issue_licence(tenants.bob.organisation)
    browser = tenants.bob.browser()
    url = f"/space/licences/{licence.pk}/bind/"

    page = browser.get(url)
    assert page.status_code == 200
    assert "Bind and email the link" in page.content.decode()

    with django_capture_on_commit_callbacks(execute=True):
        bound = browser.post(url, {"action": "bind", "email": "it@customer.example"}, follow=True)
    content = bound.content.decode()
    assert "Bound to it@customer.example" in content
    assert "Resend the link" in content
    assert mail.outbox[-1].to == ["it@customer.example"]

    with django_capture_on_commit_callbacks(execute=True):
        resent = browser.post(url, {"action": "resend"}, follow=True)
    assert "A new link is on its way to it@customer.example" in resent.content.decode()
    assert len(mail.outbox) == 2

    invalid = browser.post(url, {"action": "bind", "email": "nope"})
    assert invalid.status_code == 400
    same = browser.post(url, {"action": "bind", "email": "it@customer.example"})
    assert same.status_code == 409
    assert "already bound to it@customer.example" in same.content.decode()

    with django_capture_on_commit_callbacks(execute=True):
        browser.post(url, {"action": "bind", "email": "boss@customer.example"})
    licence.refresh_from_db()
    assert licence.customer_email == "boss@customer.example"
    assert CustomerLink.objects.filter(licence=licence, revoked_at__isnull=True).count() == 1


def test_finance_cannot_open_the_binding_page(tenants):
    licence = issue_licence(tenants.bob.organisation)
    finance = MembershipFactory(organisation=tenants.bob.organisation, role="finance")
    client = Client()
    client.force_login(finance.user)
    assert client.get(f"/space/licences/{licence.pk}/bind/").status_code == 403


def test_the_page_of_a_redeemed_licence_shows_the_customer_not_the_key(tenants):
    licence, link = bound_licence(tenants.bob.organisation)
    redemption = redeem(link)
    content = tenants.bob.browser().get(f"/space/licences/{licence.pk}/bind/").content.decode()
    assert "Customer Industries SA" in content
    assert "France" in content
    assert redemption.key not in content
    assert redemption.licence.key_hint in content
    assert "Bind and email" not in content


# --- reminders --------------------------------------------------------------------------


def test_reminders_go_once_per_interval_while_the_link_works(
    tenants, django_capture_on_commit_callbacks
):
    # Given a licence bound now; the programme reminds every 3 days, links last 14
    licence, link = bound_licence(tenants.bob.organisation)
    programme = licence.product.programme
    assert (programme.redemption_reminder_days, programme.redemption_link_days) == (3, 14)
    start = link.last_sent_at

    def run(days: float) -> int:
        with django_capture_on_commit_callbacks(execute=True):
            return redemption_reminders_send(now=start + datetime.timedelta(days=days))

    # Then nothing is due before 3 days, one reminder at 3 days, none again the same day
    assert run(2.9) == 0
    assert run(3) == 1
    assert run(3.5) == 0
    assert mail.outbox[-1].to == [link.email]
    assert mail.outbox[-1].subject.startswith("Reminder: your Vates VMS Pro licence")
    assert _link_in(mail.outbox[-1]) == f"/licence/redeem/{link_token(link)}/"  # same link
    # And the next one 3 days after that, the last before the link expires at 14 days
    assert run(6) == 1
    assert run(9) == 1
    assert run(12) == 1
    assert run(14.5) == 0
    link.refresh_from_db()
    assert link.reminders_sent == 4
    assert link.expires_at == start + datetime.timedelta(days=14)  # never prolonged
    assert licence.events.filter(kind=LicenceEvent.Kind.LINK_SENT).count() == 4
    assert len(mail.outbox) == 4


def test_no_reminder_for_redeemed_rebound_or_programmes_without_reminders(tenants):
    later = timezone.now() + datetime.timedelta(days=4)
    _, redeemed_link = bound_licence(tenants.bob.organisation)
    redeem(redeemed_link)
    _, replaced = bound_licence(tenants.alice.organisation)
    licence_link_resend(actor=tenants.alice.admin, licence=replaced.licence)
    fresh = CustomerLink.objects.get(licence=replaced.licence, revoked_at__isnull=True)
    assert redemption_reminders_send(now=later) == 1  # only alice's newest link
    fresh.refresh_from_db()
    assert fresh.reminders_sent == 1

    programme = fresh.licence.product.programme
    programme.redemption_reminder_days = 0
    programme.save(update_fields=["redemption_reminder_days"])
    assert redemption_reminders_send(now=later + datetime.timedelta(days=5)) == 0


def test_the_beat_task_runs_in_its_system_context(tenants, django_capture_on_commit_callbacks):
    _, link = bound_licence(tenants.bob.organisation)
    CustomerLink.objects.filter(pk=link.pk).update(
        last_sent_at=timezone.now() - datetime.timedelta(days=3, minutes=1)
    )
    with django_capture_on_commit_callbacks(execute=True):
        assert remind_unredeemed_licences.apply().get() == 1
        assert remind_unredeemed_licences.apply().get() == 0
    audit = AuditEvent.objects.filter(action="licence.link_sent").get()
    assert audit.actor_label == "task:licensing.remind_unredeemed_licences"
    assert mail.outbox[-1].to == [link.email]


def test_bound_licences_cannot_lose_their_email(tenants):
    """The database keeps a bound licence's email (the licence_bound_has_email check)."""
    licence, _ = bound_licence(tenants.bob.organisation)
    from django.db import IntegrityError, transaction

    with pytest.raises(IntegrityError), transaction.atomic():
        Licence.objects.filter(pk=licence.pk).update(customer_email="")
    with pytest.raises(Conflict):
        licence_link_resend(
            actor=tenants.bob.admin, licence=issue_licence(tenants.bob.organisation)
        )
