"""Redemption by emailed link (SPEC §3.7): the customer, without an account, opens the
link (which changes nothing), accepts the resale terms and gets the key, on screen and by
email; links that are tampered, expired, used or rebound away get a clear page; the
embargo; exactly one redemption under fifty simultaneous POSTs; the redeemed key activating
an appliance whose signed file verifies offline."""

from __future__ import annotations

import datetime
import io
import json
import os
import re
import subprocess
import sys
import threading
from pathlib import Path

import pytest
from django.conf import settings
from django.core import mail, signing
from django.core.management import call_command
from django.db import connection
from django.test import Client
from django.utils import timezone
from rest_framework.test import APIClient

from licensing.keys import key_digest
from licensing.models import CustomerLink, Licence, LicenceEvent
from licensing.selectors.links import link_token
from licensing.services.redemption import licence_key_send
from licensing.throttles import CustomerLinkRateThrottle
from partners.models import EmbargoedTerritory
from portal.models import AuditEvent, OutboxTask
from tests.licensing.factories import issue_licence
from tests.licensing.factories_links import (
    bound_licence,
    per_user_product,
    redeem,
    seats_link,
)
from tests.routes.harness import changed, snapshot

pytestmark = pytest.mark.django_db

VERIFIER = Path(settings.BASE_DIR) / "tools" / "verify_licence.py"
LINK = re.compile(r"https?://[^/\s]+(/licence/(?:redeem|seats)/[^/\s]+/)")
KEY = re.compile(r"\b[0-9A-HJKMNP-TV-Z]{5}(?:-[0-9A-HJKMNP-TV-Z]{5}){4}\b")
FORM = {
    "organisation_name": "Customer Industries SA",
    "country": "FR",
    "region": "",
    "installation_name": "Production cluster, Lyon",
    "accept_terms": "on",
    "terms_version": "1.0",
}


def _url(link: CustomerLink) -> str:
    return f"/licence/redeem/{link_token(link)}/"


def _post(url: str, client: Client | None = None, **changes):
    return (client or Client()).post(url, {**FORM, **changes})


# --- the whole way ----------------------------------------------------------------------


def test_bind_email_open_redeem_key_on_screen_and_by_email(
    tenants, django_capture_on_commit_callbacks
):
    # Given bob binds a licence to its customer: the customer gets a link by email
    licence = issue_licence(tenants.bob.organisation)
    with django_capture_on_commit_callbacks(execute=True):
        tenants.bob.api().post(
            f"/api/v1/licences/{licence.pk}/bind", {"email": "it@customer.example"}, format="json"
        )
    url = LINK.search(mail.outbox[-1].body).group(1)

    # When the customer (or a mail scanner) opens it, twice
    before = snapshot()
    first = Client().get(url)
    Client().head(url)

    # Then the page shows the licence, its support and the terms, and changed nothing
    assert changed(before, snapshot()) == []
    assert first.status_code == 200
    assert "no-store" in first["Cache-Control"]
    page = first.content.decode()
    for text in (
        "Vates VMS Pro",
        "3 hosts",
        licence.starts_on.strftime("%-d %b %Y"),
        licence.ends_on.strftime("%-d %b %Y"),
        "Business-day support",
        "Unlimited support tickets",
        "24 h response time for critical issues",
        "XCP-ng hypervisor licences for all hosts",
        "Resale terms",
        "version 1.0",
        "Bob Resellers",
        "it@customer.example",
    ):
        assert text in page, text
    licence.refresh_from_db()
    assert licence.status == Licence.Status.BOUND

    # When the customer fills the form and accepts the terms
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        response = _post(url, Client(REMOTE_ADDR="203.0.113.9"))

    # Then the key is on screen once, and only its digest is kept
    assert response.status_code == 200, response.content.decode()[:2000]
    assert "no-store" in response["Cache-Control"]
    key = KEY.search(response.content.decode()).group(0)
    licence.refresh_from_db()
    assert licence.status == Licence.Status.ACTIVE
    assert licence.key_digest == key_digest(key)
    assert licence.key_hint == key[-5:]
    assert (licence.customer_name, licence.customer_country, licence.installation_name) == (
        "Customer Industries SA",
        "FR",
        "Production cluster, Lyon",
    )
    assert licence.terms_version == "1.0"
    assert licence.terms_accepted_at is not None
    assert str(licence.terms_accepted_ip) == "203.0.113.9"
    assert licence.redeemed_at is not None
    link = CustomerLink.objects.get(licence=licence)
    assert link.used_at is not None
    assert link.key_nonce == ""  # the key email is sent: nothing can make the key again

    # And the customer got the key by email, with the support the plan includes
    to_customer = [m for m in mail.outbox if m.to == ["it@customer.example"]]
    assert len(to_customer) == 1
    key_mail = to_customer[0]
    assert key_mail.subject == "Your licence key for Vates VMS Pro"
    assert key in key_mail.body
    assert "Business-day support" in key_mail.body
    assert "24 h response time for critical issues" in key_mail.body
    assert "invoice" in key_mail.body
    assert "bills you" in key_mail.body
    assert "/licence/seats/" not in key_mail.body  # per host: no seats to manage

    # And the partner was told (its admin, who bound it), with no key
    to_partner = [m for m in mail.outbox if m.to == [tenants.bob.admin.email]]
    assert len(to_partner) == 1
    assert to_partner[0].subject == "Customer Industries SA redeemed its Vates VMS Pro licence"
    assert key not in to_partner[0].body
    # The customer never gets an invoice: these two emails are all there is
    assert len(mail.outbox) == 2

    # And the history, the audit trail and the outbox never hold the key
    event = licence.events.get(kind=LicenceEvent.Kind.REDEEMED)
    assert event.actor is None
    assert "Customer Industries SA" in event.summary
    audit = AuditEvent.objects.get(action="licence.redeemed")
    assert audit.actor_label == "public:redemption"
    assert audit.ip == "203.0.113.9"
    for row in [*AuditEvent.objects.all(), *LicenceEvent.objects.all()]:
        assert key not in str(row.__dict__)
    for row in OutboxTask.objects.all():
        assert key not in str(row.kwargs)

    # And the link is spent: reopening it or posting again says so
    again = Client().get(url)
    assert again.status_code == 410
    assert "already redeemed" in again.content.decode()
    assert _post(url).status_code == 410
    # The key email goes once, whatever redelivers its task
    assert licence_key_send(link_id=link.pk) is False


def test_a_per_user_licence_emails_a_seat_management_link_with_the_key(
    tenants, django_capture_on_commit_callbacks
):
    product = per_user_product(tenants.bob.organisation.partner_type.programme)
    licence, link = bound_licence(tenants.bob.organisation, product=product, quantity=5)
    with django_capture_on_commit_callbacks(execute=True):
        response = _post(_url(link))
    assert response.status_code == 200
    assert "name the people who hold its 5 users" in response.content.decode()
    key_mail = next(m for m in mail.outbox if "Your licence key" in m.subject)
    seats = CustomerLink.objects.get(licence=licence, purpose="manage_seats")
    assert f"/licence/seats/{link_token(seats)}/" in key_mail.body


def test_the_key_email_survives_a_signing_key_rotation_with_its_fallback(tenants, settings):
    # Given a licence redeemed, its key email not sent yet (the task waits in the outbox)
    _, link = bound_licence(tenants.bob.organisation)
    key = redeem(link).key
    link.refresh_from_db()
    assert link.key_nonce

    # When the signing key rotates before the task runs, the old one kept as a fallback
    old = settings.SECRET_KEY
    settings.SECRET_KEY = "a-new-signing-key-" + "x" * 40
    settings.SECRET_KEY_FALLBACKS = [old]
    assert licence_key_send(link_id=link.pk) is True

    # Then the customer gets the right key, once
    assert [m.to for m in mail.outbox] == [[link.email]]
    assert key in mail.outbox[0].body
    assert licence_key_send(link_id=link.pk) is False


def test_without_the_old_signing_key_no_wrong_key_is_ever_emailed(tenants, settings):
    _, link = bound_licence(tenants.bob.organisation)
    redeem(link)
    settings.SECRET_KEY = "a-new-signing-key-" + "x" * 40
    settings.SECRET_KEY_FALLBACKS = []
    assert licence_key_send(link_id=link.pk) is False
    assert mail.outbox == []


# --- links that do not work ---------------------------------------------------------------


def test_tampered_truncated_or_foreign_tokens_get_a_clear_400(tenants):
    licence, link = bound_licence(tenants.bob.organisation)
    token = link_token(link)
    seat_token = link_token(seats_link(tenants.alice.organisation))
    forged = signing.dumps("00000000-0000-4000-8000-000000000000", salt="something-else")
    unknown = signing.dumps(
        "00000000-0000-4000-8000-000000000000", salt="licensing.customer-link.redeem"
    )
    for bad in (token[:-3] + "abc", token[:20], "nonsense", seat_token, forged, unknown):
        for method in ("get", "post"):
            response = getattr(Client(), method)(f"/licence/redeem/{bad}/", FORM)
            assert response.status_code == 400, (bad, method)
            assert "This link is not valid" in response.content.decode()
    licence.refresh_from_db()
    assert licence.status == Licence.Status.BOUND


def test_an_expired_link_says_when_it_expired_and_whom_to_ask(tenants):
    licence, link = bound_licence(tenants.bob.organisation)
    CustomerLink.objects.filter(pk=link.pk).update(
        expires_at=timezone.now() - datetime.timedelta(minutes=1)
    )
    for response in (Client().get(_url(link)), _post(_url(link))):
        assert response.status_code == 410
        content = response.content.decode()
        assert "This link expired on" in content
        assert "Ask Bob Resellers" in content
    licence.refresh_from_db()
    assert licence.status == Licence.Status.BOUND


def test_a_link_rebound_away_is_refused_even_mid_form(tenants):
    # Given the customer opened the form, then the partner rebinds to someone else
    licence, link = bound_licence(tenants.bob.organisation)
    assert Client().get(_url(link)).status_code == 200
    tenants.bob.api().post(
        f"/api/v1/licences/{licence.pk}/bind", {"email": "other@customer.example"}, format="json"
    )
    # When the first customer posts the form
    response = _post(_url(link))
    # Then it is refused with a page saying why, and the licence waits for the other one
    assert response.status_code == 410
    assert "assigned to another recipient" in response.content.decode()
    licence.refresh_from_db()
    assert (licence.status, licence.customer_email) == ("bound", "other@customer.example")


def test_a_cancelled_licence_cannot_be_redeemed(tenants):
    licence, link = bound_licence(tenants.bob.organisation)
    Licence.objects.filter(pk=licence.pk).update(status=Licence.Status.CANCELLED)
    response = Client().get(_url(link))
    assert response.status_code == 410
    assert "can no longer be redeemed (cancelled)" in response.content.decode()


# --- what the customer must give --------------------------------------------------------


def test_an_embargoed_country_or_region_is_refused_and_nothing_changes(tenants):
    licence, link = bound_licence(tenants.bob.organisation)
    programme = licence.product.programme
    EmbargoedTerritory.objects.create(programme=programme, country="KP")
    EmbargoedTerritory.objects.create(
        programme=programme, country="UA", region_code="UA-43", region_name="Crimea"
    )
    before = snapshot()
    for changes, field in (
        ({"country": "KP"}, "country"),
        ({"country": "UA", "region": "Crimea"}, "region"),
    ):
        response = _post(_url(link), **changes)
        assert response.status_code == 400
        content = response.content.decode()
        assert "trade embargo" in content
        assert f'name="{field}"' in content
    assert changed(before, snapshot()) == []
    assert _post(_url(link), country="UA", region="Kyiv").status_code == 200


def test_terms_must_be_accepted_in_their_current_version(tenants):
    licence, link = bound_licence(tenants.bob.organisation)
    refused = Client().post(_url(link), {k: v for k, v in FORM.items() if k != "accept_terms"})
    assert refused.status_code == 400
    assert "accept the resale terms" in refused.content.decode()

    programme = licence.product.programme
    programme.resale_terms_version = "2.0"
    programme.resale_terms = "New terms: the software is licensed, not sold."
    programme.save(update_fields=["resale_terms_version", "resale_terms"])
    changed_terms = _post(_url(link))  # the form was read with version 1.0
    assert changed_terms.status_code == 400
    content = changed_terms.content.decode()
    assert "The resale terms changed while this page was open" in content
    assert "the software is licensed, not sold" in content
    assert 'value="2.0"' in content
    licence.refresh_from_db()
    assert licence.status == Licence.Status.BOUND
    assert _post(_url(link), terms_version="2.0").status_code == 200
    licence.refresh_from_db()
    assert licence.terms_version == "2.0"


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"organisation_name": "   "}, "organisation_name"),
        ({"installation_name": ""}, "installation_name"),
        ({"country": "XX"}, "country"),
        ({"organisation_name": "x" * 201}, "organisation_name"),
    ],
)
def test_missing_or_bad_answers_are_shown_beside_their_field(tenants, changes, field):
    _, link = bound_licence(tenants.bob.organisation)
    response = _post(_url(link), **changes)
    assert response.status_code == 400
    assert f'name="{field}"' in response.content.decode()
    assert "is-invalid" in response.content.decode()


def test_redeeming_is_rate_limited_per_client_address(tenants, monkeypatch):
    monkeypatch.setattr(CustomerLinkRateThrottle, "THROTTLE_RATES", {"customer_links": "3/hour"})
    _, link = bound_licence(tenants.bob.organisation)
    for _ in range(3):
        assert _post(_url(link), installation_name="").status_code == 400
    refused = _post(_url(link))
    assert refused.status_code == 429
    assert "Too many attempts" in refused.content.decode()
    # Opening the link is never counted, and another address may still redeem
    assert Client().get(_url(link)).status_code == 200
    assert _post(_url(link), Client(REMOTE_ADDR="198.51.100.20")).status_code == 200


# --- exactly once -----------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_fifty_simultaneous_posts_of_one_link_redeem_it_once(tenants_committed):
    # Given one bound licence and its link
    licence, link = bound_licence(tenants_committed.bob.organisation)
    url = _url(link)
    barrier = threading.Barrier(50)
    statuses: list[int] = []
    keys: list[str] = []

    def post(n: int) -> None:
        try:
            client = Client(REMOTE_ADDR=f"198.51.100.{n + 1}")
            barrier.wait(timeout=30)
            response = client.post(url, FORM)
            statuses.append(response.status_code)
            found = KEY.search(response.content.decode())
            if found:
                keys.append(found.group(0))
        except Exception as exc:  # reported by the assertions below
            statuses.append(repr(exc))
        finally:
            connection.close()

    # When fifty customers' browsers post the form at the same moment
    threads = [threading.Thread(target=post, args=(n,)) for n in range(50)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)

    # Then exactly one redeemed it; the others were told the link was used
    assert sorted(statuses) == [200] + [410] * 49, statuses
    assert len(keys) == 1
    licence.refresh_from_db()
    assert licence.status == Licence.Status.ACTIVE
    assert licence.key_digest == key_digest(keys[0])
    assert licence.events.filter(kind=LicenceEvent.Kind.REDEEMED).count() == 1
    assert AuditEvent.objects.filter(action="licence.redeemed").count() == 1
    key_mails = [m for m in mail.outbox if m.subject.startswith("Your licence key")]
    assert [m.to for m in key_mails] == [[link.email]]
    assert keys[0] in key_mails[0].body


# --- demo data --------------------------------------------------------------------------


def test_seed_demo_gives_each_partner_a_bound_and_an_active_licence_once():
    call_command("seed_demo", stdout=io.StringIO())
    call_command("seed_demo", stdout=io.StringIO())
    rows = Licence.objects.filter(source__in=["demo:bound", "demo:active"]).select_related(
        "organisation"
    )
    found = sorted((r.organisation.name, r.source, r.status) for r in rows)
    assert found == [
        (name, source, status)
        for name in ("Bluepeak IT", "Cloud Nine Hosting", "Northwind Distribution")
        for source, status in (("demo:active", "active"), ("demo:bound", "bound"))
    ]
    for licence in rows:
        link = CustomerLink.objects.get(licence=licence, purpose="redeem")
        assert link.email == licence.customer_email
        assert link.created_by is not None  # bound by the partner's admin
        if licence.status == Licence.Status.ACTIVE:
            assert licence.key_digest
            assert licence.customer_name
            assert licence.terms_accepted_at is not None
            assert link.used_at is not None
        else:
            assert link.used_at is None
            assert link.expires_at > timezone.now()


# --- end to end: the key activates an appliance ------------------------------------------


def test_the_redeemed_key_activates_and_its_file_verifies_offline(
    tenants, tmp_path, django_capture_on_commit_callbacks
):
    # Given bob binds a licence and the customer redeems it through the emailed link
    licence = issue_licence(tenants.bob.organisation)
    with django_capture_on_commit_callbacks(execute=True):
        tenants.bob.api().post(
            f"/api/v1/licences/{licence.pk}/bind", {"email": "it@customer.example"}, format="json"
        )
    url = LINK.search(mail.outbox[-1].body).group(1)
    assert Client().get(url).status_code == 200
    with django_capture_on_commit_callbacks(execute=True):
        page = _post(url)
    key = KEY.search(page.content.decode()).group(0)
    assert key in next(m for m in mail.outbox if m.subject.startswith("Your licence key")).body

    # When the customer's appliance activates with that key (as typed: any case, no dashes)
    activation = APIClient().post(
        "/api/v1/activations",
        {"key": key.replace("-", "").lower(), "fingerprint": "machine-0001"},
        format="json",
    )
    assert activation.status_code in {200, 201}, activation.content
    licence_file = activation.json()

    # Then the signed file names the customer and verifies offline with the published key
    path = tmp_path / "licence.json"
    path.write_text(json.dumps(licence_file), encoding="utf-8")
    keys = tmp_path / "published.json"
    keys.write_text(
        json.dumps(APIClient().get("/api/v1/licensing/public-key").json()), encoding="utf-8"
    )
    result = subprocess.run(
        [sys.executable, "-I", str(VERIFIER), str(path), "--public-key", str(keys)],
        capture_output=True,
        text=True,
        env={"PATH": os.environ.get("PATH", ""), "PYTHONNOUSERSITE": "1"},
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.startswith(f"OK: licence {licence.pk} for Customer Industries SA")
