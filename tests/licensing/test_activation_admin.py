"""The rest of licensing in the channel team's admin (SPEC §4: every model reachable, with
filters and search): signing keys (rotated through the service, the private key shown
nowhere), machines (released through the service), the customers' links and seats,
expiry reminders and a trial's details. Everything is read-only; the two actions are the
services' and are audited. The partner releases a machine from its licence's page."""

from __future__ import annotations

import io

import pytest
from django.contrib.auth.models import Group
from django.contrib.messages import get_messages
from django.core.management import call_command
from django.test import Client

from licensing.models import (
    Activation,
    CustomerLink,
    Licence,
    LicenceEvent,
    LicenceReminder,
    SigningKey,
    Trial,
)
from licensing.selectors.links import link_token
from licensing.services.activation import activation_activate, activation_release
from licensing.services.seats import seat_add
from licensing.services.signing import signing_key_current
from partners import roles
from partners.models import Programme
from partners.services.programme import programme_load
from portal.models import AuditEvent
from portal.staff_groups import CHANNEL_FINANCE, CHANNEL_REVIEWER, PROGRAMME_MANAGER
from tests.factories import OrganisationFactory, UserFactory, staff_user
from tests.licensing.factories import issue_licence
from tests.licensing.factories_activation import activate_licence, live_activation
from tests.licensing.factories_links import binder_of, bound_licence, seats_link
from tests.partners.factories_team import member_of
from tests.routes.harness import supply
from tests.tenancy_support import observer

pytestmark = pytest.mark.django_db

CHANGELISTS = [
    "/admin/licensing/signingkey/",
    "/admin/licensing/activation/",
    "/admin/licensing/customerlink/",
    "/admin/licensing/seat/",
    "/admin/licensing/licencereminder/",
]


def browser(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def superuser() -> Client:
    return browser(UserFactory(is_staff=True, is_superuser=True))


def in_group(name: str) -> Client:
    user = UserFactory(is_staff=True)
    user.groups.add(Group.objects.get(name=name))
    return browser(user)


def messages_of(response) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


def action(client, url: str, name: str, *objects):
    return client.post(
        url,
        {"action": name, "_selected_action": [str(o.pk) for o in objects], "index": "0"},
        follow=True,
    )


# --- who reads what ----------------------------------------------------------------------


@pytest.mark.parametrize("group", [CHANNEL_REVIEWER, CHANNEL_FINANCE, PROGRAMME_MANAGER])
def test_every_channel_role_reads_each_list_and_page(group):
    # Given one row of each
    activation = live_activation(OrganisationFactory(name="Fjord Systems AS"))
    _, link = bound_licence(OrganisationFactory(), email="buyer@customer.example")
    seat = seat_add(link_id=seats_link().pk, name="Ada", email="ada@customer.example")
    licence = activation.licence
    with observer():
        reminder = LicenceReminder.objects.create(
            organisation=licence.organisation,
            licence=licence,
            days_before=30,
            ends_on=licence.ends_on,
        )
    client = in_group(group)

    # Then each list and each row's page opens
    for url in CHANGELISTS:
        assert client.get(url).status_code == 200, url
    for url in (
        f"/admin/licensing/signingkey/{signing_key_current().pk}/change/",
        f"/admin/licensing/activation/{activation.pk}/change/",
        f"/admin/licensing/customerlink/{link.pk}/change/",
        f"/admin/licensing/seat/{seat.pk}/change/",
        f"/admin/licensing/licencereminder/{reminder.pk}/change/",
    ):
        response = client.get(url)
        assert response.status_code == 200, url
        assert 'name="_save"' not in response.content.decode(), url  # read-only


def test_staff_without_the_view_permission_are_refused():
    client = browser(staff_user())
    for url in CHANGELISTS:
        assert client.get(url).status_code == 403, url
    activation = live_activation()
    assert client.get(f"/admin/licensing/activation/{activation.pk}/change/").status_code == 403


def test_nothing_is_added_changed_or_deleted_in_the_admin():
    activation = live_activation()
    client = superuser()
    before = list(Activation.objects.values_list())
    for url in (
        "/admin/licensing/activation/add/",
        "/admin/licensing/signingkey/add/",
        "/admin/licensing/customerlink/add/",
        "/admin/licensing/seat/add/",
        "/admin/licensing/licencereminder/add/",
    ):
        assert client.get(url).status_code == 403, url
    change = f"/admin/licensing/activation/{activation.pk}/change/"
    assert client.post(change, {"hostname": "x"}).status_code == 403
    delete = f"/admin/licensing/activation/{activation.pk}/delete/"
    assert client.post(delete, {"post": "yes"}).status_code == 403
    assert list(Activation.objects.values_list()) == before


# --- signing keys ------------------------------------------------------------------------


def test_the_private_key_is_shown_nowhere():
    key = signing_key_current()
    client = in_group(PROGRAMME_MANAGER)
    secret_line = key.private_key_encrypted.splitlines()[1]
    for url in (
        "/admin/licensing/signingkey/",
        f"/admin/licensing/signingkey/{key.pk}/change/",
        f"/admin/licensing/signingkey/?q={key.kid}",
    ):
        html = client.get(url).content.decode()
        assert key.kid in html, url
        assert "PRIVATE KEY" not in html, url
        assert secret_line not in html, url
    # The public key is shown, as it is published
    assert (
        "BEGIN PUBLIC KEY"
        in client.get(f"/admin/licensing/signingkey/{key.pk}/change/").content.decode()
    )


def test_rotating_the_key_goes_through_the_service_and_is_audited():
    # Given a current key and a superuser (no group holds the rotation)
    first = signing_key_current()
    client = superuser()
    listed = client.get("/admin/licensing/signingkey/").content.decode()
    assert "Rotate the signing key" in listed
    confirm = client.get("/admin/licensing/signingkey/rotate/")
    assert confirm.status_code == 200
    assert first.kid in confirm.content.decode()

    # When they rotate it
    response = client.post("/admin/licensing/signingkey/rotate/", follow=True)

    # Then a new key signs, the old one is retired and still listed, and the audit says who
    assert response.status_code == 200
    current = SigningKey.objects.get(is_current=True)
    assert current.pk != first.pk
    first.refresh_from_db()
    assert first.retired_at is not None
    assert any(current.kid in m and "Rotated" in m for m in messages_of(response))
    event = AuditEvent.objects.get(action="signing_key.rotated")
    assert event.actor == response.wsgi_request.user
    assert event.before == {"kid": first.kid}
    html = response.content.decode()
    assert first.kid in html
    assert current.kid in html


@pytest.mark.parametrize("group", [CHANNEL_REVIEWER, CHANNEL_FINANCE, PROGRAMME_MANAGER])
def test_the_groups_read_the_keys_but_do_not_rotate_them(group):
    signing_key_current()
    client = in_group(group)
    assert (
        "Rotate the signing key" not in client.get("/admin/licensing/signingkey/").content.decode()
    )
    assert client.get("/admin/licensing/signingkey/rotate/").status_code == 403
    assert client.post("/admin/licensing/signingkey/rotate/").status_code == 403
    assert SigningKey.objects.count() == 1
    assert not AuditEvent.objects.filter(action="signing_key.rotated").exists()


def test_a_staff_member_given_the_permission_rotates():
    signing_key_current()
    client = browser(staff_user("licensing.view_signingkey", "licensing.add_signingkey"))
    assert client.post("/admin/licensing/signingkey/rotate/").status_code == 302
    assert SigningKey.objects.count() == 2


# --- machines ----------------------------------------------------------------------------


def test_the_machine_list_filters_and_searches():
    # Given a live machine at one partner and a released one at another
    live = live_activation(OrganisationFactory(name="Fjord Systems AS"), fingerprint="fp-live-0001")
    released = live_activation(
        OrganisationFactory(name="Other Partner"), fingerprint="fp-gone-0002"
    )
    with observer():
        activation_release(actor=binder_of(released.licence.organisation), activation=released)
    client = in_group(CHANNEL_FINANCE)

    def listed(query: str) -> set[str]:
        response = client.get(f"/admin/licensing/activation/{query}")
        assert response.status_code == 200, query
        return {str(a.pk) for a in response.context["cl"].result_list}

    assert listed("") == {str(live.pk), str(released.pk)}
    assert listed("?machine=live") == {str(live.pk)}
    assert listed("?machine=deactivated") == {str(released.pk)}
    assert listed("?machine=released") == {str(released.pk)}
    organisation = live.licence.organisation_id
    assert listed(f"?licence__organisation__id__exact={organisation}") == {str(live.pk)}
    assert listed("?q=fp-live") == {str(live.pk)}
    assert listed("?q=vm-01") == {str(live.pk), str(released.pk)}  # the hostname
    assert listed("?q=example+customer") == {str(live.pk), str(released.pk)}  # licence customer
    html = client.get("/admin/licensing/activation/").content.decode()
    assert "Fjord Systems AS" in html
    assert "In use" in html
    assert "Released" in html


def test_releasing_machines_goes_through_the_service_and_is_audited():
    # Given two live machines and one already released
    first = live_activation(fingerprint="machine-0001")
    second = live_activation(fingerprint="machine-0002")
    gone = live_activation(fingerprint="machine-0003")
    with observer():
        activation_release(actor=binder_of(gone.licence.organisation), activation=gone)
    client = in_group(PROGRAMME_MANAGER)

    # When the programme manager releases all three
    response = action(client, "/admin/licensing/activation/", "release", first, second, gone)

    # Then the two live ones are released, and the third is named in an error, never a 500
    assert response.status_code == 200
    shown = messages_of(response)
    assert any("Released 2 machines" in m for m in shown), shown
    assert any("already been released" in m for m in shown), shown
    staff = response.wsgi_request.user
    for activation in (first, second):
        activation.refresh_from_db()
        assert activation.deactivated_by == Activation.DeactivatedBy.PARTNER
        assert activation.released_by == staff
        event = LicenceEvent.objects.get(
            licence=activation.licence, kind=LicenceEvent.Kind.DEACTIVATED
        )
        assert event.actor == staff
        assert AuditEvent.objects.filter(
            action="licence.deactivated", object_id=str(activation.licence_id), actor=staff
        ).exists()


@pytest.mark.parametrize("group", [CHANNEL_REVIEWER, CHANNEL_FINANCE])
def test_roles_without_managing_licences_are_not_offered_the_release(group):
    activation = live_activation()
    client = in_group(group)
    listed = client.get("/admin/licensing/activation/")
    assert listed.context["action_form"] is None  # no action at all
    assert "Release the selected machines" not in listed.content.decode()

    action(client, "/admin/licensing/activation/", "release", activation)

    activation.refresh_from_db()
    assert activation.is_active


# --- links, seats, reminders, trials ------------------------------------------------------


def test_a_customer_link_shows_neither_its_url_nor_its_key_nonce():
    # Given a redemption link, and one holding a key nonce (between redemption and email)
    _, link = bound_licence(OrganisationFactory(), email="buyer@customer.example")
    with observer():
        CustomerLink.objects.filter(pk=link.pk).update(key_nonce="f00dfacecafe1234f00dfacecafe1234")
    client = in_group(CHANNEL_REVIEWER)

    page = client.get(f"/admin/licensing/customerlink/{link.pk}/change/").content.decode()
    listed = client.get("/admin/licensing/customerlink/?q=buyer").content.decode()

    assert "buyer@customer.example" in page
    assert "buyer@customer.example" in listed
    for html in (page, listed):
        assert link_token(link) not in html
        assert "/licence/redeem/" not in html
        assert "f00dfacecafe1234" not in html
    for query in ("?purpose__exact=redeem", "?state=live", "?state=used", "?state=expired"):
        assert client.get(f"/admin/licensing/customerlink/{query}").status_code == 200, query
    assert client.get("/admin/licensing/customerlink/?state=live").context["cl"].result_count == 1


def test_seats_are_searched_by_email_and_licence():
    link = seats_link(OrganisationFactory(name="Seat Partner"))
    seat_add(link_id=link.pk, name="Ada Lovelace", email="ada@customer.example")
    seat_add(link_id=link.pk, name="Grace Hopper", email="grace@customer.example")
    client = in_group(CHANNEL_FINANCE)

    def count(query):
        return client.get(f"/admin/licensing/seat/{query}").context["cl"].result_count

    assert count("") == 2
    assert count("?q=grace@") == 1
    assert count("?q=Customer+Industries") == 2  # the licence's customer
    assert count("?q=seat+partner") == 2


def test_reminders_list_and_a_trial_licence_shows_its_prospect():
    trial = issue_licence(OrganisationFactory(), kind="trial", customer_name="Prospect AG")
    with observer():
        Trial.objects.create(
            organisation=trial.organisation,
            licence=trial,
            prospect_email="cio@prospect.example",
            project="VMware exit",
        )
        LicenceReminder.objects.create(
            organisation=trial.organisation, licence=trial, days_before=7, ends_on=trial.ends_on
        )
    client = in_group(CHANNEL_REVIEWER)

    reminders = client.get("/admin/licensing/licencereminder/?days_before__exact=7&q=prospect")
    page = client.get(f"/admin/licensing/licence/{trial.pk}/change/").content.decode()
    customer = issue_licence(trial.organisation)
    other = client.get(f"/admin/licensing/licence/{customer.pk}/change/").content.decode()

    assert reminders.context["cl"].result_count == 1
    assert "cio@prospect.example" in page
    assert "VMware exit" in page
    assert "cio@prospect.example" not in other


# --- the partner releases a machine from its licence's page -------------------------------


def release_url(activation) -> str:
    return f"/space/licences/machines/{activation.pk}/release/"


@pytest.mark.parametrize("role", sorted(roles.ALL))
def test_the_release_button_is_for_the_roles_that_manage_licences(tenants, role):
    # Given a licence of bob's activated on two machines, one of them released
    licence, key = activate_licence(issue_licence(tenants.bob.organisation))
    live = activation_activate(key=key, fingerprint="machine-0001", hostname="vm-01").activation
    gone = activation_activate(key=key, fingerprint="machine-0002", hostname="vm-02").activation
    with observer():
        activation_release(actor=binder_of(tenants.bob.organisation), activation=gone)
    client = browser(member_of(tenants.bob, role=role).user)

    html = client.get(f"/space/licences/{licence.pk}/").content.decode()

    # Then only a role that manages licences sees a button, for the live machine only
    manages = role in roles.MANAGE_LICENCES
    assert (release_url(live) in html) is manages
    assert release_url(gone) not in html
    response = client.post(release_url(live))
    if manages:
        assert response.status_code == 302
    else:
        assert response.status_code == 403
        live.refresh_from_db()
        assert live.is_active


def test_the_partner_releases_a_machine_through_the_service(tenants):
    # Given bob's licence on one machine
    licence, key = activate_licence(issue_licence(tenants.bob.organisation))
    activation = activation_activate(
        key=key, fingerprint="machine-0001", hostname="vm-01"
    ).activation
    client = tenants.bob.browser()

    # When bob's administrator releases it
    response = client.post(release_url(activation), follow=True)

    # Then it is released by them, the licence's history and the audit trail say so
    assert response.redirect_chain[-1][0] == f"/space/licences/{licence.pk}/"
    assert any("vm-01 released" in m for m in messages_of(response))
    activation.refresh_from_db()
    assert activation.deactivated_by == Activation.DeactivatedBy.PARTNER
    assert activation.released_by == tenants.bob.admin
    assert LicenceEvent.objects.filter(
        licence=licence, kind=LicenceEvent.Kind.DEACTIVATED, actor=tenants.bob.admin
    ).exists()
    assert AuditEvent.objects.filter(action="licence.deactivated", actor=tenants.bob.admin).exists()
    html = response.content.decode()
    assert "0 of 2 in use" in html
    assert release_url(activation) not in html

    # And releasing it again is refused with a message, not an error page
    again = client.post(release_url(activation), follow=True)
    assert again.status_code == 200
    assert any("already been released" in m for m in messages_of(again))


def test_a_distributor_cannot_release_its_resellers_machines(tenants):
    # Given alice supplies bob, and bob's supplied licence runs on a machine
    supply(tenants.bob, tenants.alice)
    supplied = issue_licence(tenants.bob.organisation, distributor=tenants.alice.organisation)
    licence, key = activate_licence(supplied)
    activation = activation_activate(key=key, fingerprint="machine-0001").activation
    client = tenants.alice.browser()

    # Then alice reads the machine on the licence's page, without a button
    html = client.get(f"/space/licences/{licence.pk}/").content.decode()
    assert "machine-0001" in html
    assert release_url(activation) not in html
    # And her POST is not found, changing nothing
    assert client.post(release_url(activation)).status_code == 404
    activation.refresh_from_db()
    assert activation.is_active


def test_another_partners_machine_is_not_found(tenants):
    activation = live_activation(tenants.bob.organisation)
    assert tenants.charlie.browser().post(release_url(activation)).status_code == 404
    assert tenants.charlie.browser().get(release_url(activation)).status_code in {404, 405}
    activation.refresh_from_db()
    assert activation.is_active


# --- the demo and the programme's resale terms ------------------------------------------


def test_seed_demo_runs_each_active_licence_on_one_machine_once():
    call_command("seed_demo", stdout=io.StringIO())
    call_command("seed_demo", stdout=io.StringIO())

    active = Licence.objects.filter(source="demo:active")
    assert active.count() == 3
    for licence in active:
        machines = list(Activation.objects.filter(licence=licence))
        assert len(machines) == 1, licence.organisation
        assert machines[0].is_active
        assert machines[0].hostname.startswith("xoa-")
        assert (
            LicenceEvent.objects.filter(licence=licence, kind=LicenceEvent.Kind.ACTIVATED).count()
            == 1
        )


@pytest.mark.parametrize("code", ["vates", "xen-orchestra"])
def test_the_redemption_page_shows_the_programmes_resale_terms(code):
    # Given a licence of the programme bound to a customer
    programme = programme_load(code=code)
    assert programme.resale_terms_version
    for words in ("own use", "invoices you", "transfer", "French law"):
        assert words in programme.resale_terms, (code, words)
    organisation = OrganisationFactory(partner_type=programme.types.first())
    _, link = bound_licence(organisation)

    page = Client().get(f"/licence/redeem/{link_token(link)}/").content.decode()

    assert f"version {programme.resale_terms_version}" in page
    assert "Your partner is the seller." in page
    with observer():
        assert Programme.objects.get(code=code).resale_terms
    link.refresh_from_db()  # the page consumed nothing: the link still works
    assert link.used_at is None
