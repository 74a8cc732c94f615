"""Activation (SPEC §3.7): an appliance activates a licence key on a machine and receives
a signed licence file; the machine limit; deactivation by the appliance and release by the
partner."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from licensing.api.activation import ActivationRateThrottle
from licensing.models import Activation, Licence, LicenceEvent
from licensing.selectors.activation import licence_activations, published_signing_keys
from licensing.services.activation import activation_activate, activation_release
from licensing.signing import signature_is_valid
from partners.models import Membership
from portal.errors import Forbidden
from portal.models import AuditEvent
from portal.tenancy.context import tenant_context
from tests.factories import MembershipFactory
from tests.licensing.factories import issue_licence
from tests.licensing.factories_activation import activate_licence

pytestmark = pytest.mark.django_db

ACTIVATIONS = "/api/v1/activations"
MISSING = object()


def _activate(key: str, fingerprint: str = "machine-0001", **extra):
    return APIClient().post(
        ACTIVATIONS, {"key": key, "fingerprint": fingerprint, **extra}, format="json"
    )


def _deactivate(activation_id, key: str | None):
    headers = {"HTTP_X_LICENCE_KEY": key} if key is not None else {}
    return APIClient().delete(f"{ACTIVATIONS}/{activation_id}", **headers)


def _update(licence: Licence, **values) -> None:
    Licence.objects.filter(pk=licence.pk).update(**values)


# --- Activating -----------------------------------------------------------------------


def test_an_active_licence_activates_and_the_file_verifies_with_the_published_key():
    # Given a redeemed licence and its key, typed in lower case without dashes
    licence, key = activate_licence(customer_name="Müller Systemhaus GmbH")

    # When an appliance activates it
    response = _activate(key.lower().replace("-", ""), hostname="xo-appliance.local")

    # Then it gets a signed file saying what the licence is
    assert response.status_code == 201, response.content
    assert response["Cache-Control"] == "no-store, private"
    licence_file = response.json()
    payload = licence_file["payload"]
    assert licence_file["format"] == "licence-file/1"
    assert licence_file["algorithm"] == "Ed25519"
    assert payload["licence_id"] == str(licence.pk)
    assert payload["licensee"] == {
        "name": "Müller Systemhaus GmbH",
        "email": "it@customer.example",
        "country": "DE",
    }
    assert payload["installation"] == "Main datacentre"
    assert payload["product"] == {"code": "pro", "name": "Vates VMS Pro"}
    assert payload["billing_period"] == "yearly"
    assert (payload["quantity"], payload["unit"], payload["machine_limit"]) == (3, "per_host", 2)
    assert payload["term"] == {
        "starts_on": licence.starts_on.isoformat(),
        "ends_on": licence.ends_on.isoformat(),
    }
    assert payload["entitlements"] == licence.entitlements
    assert payload["entitlements"]["critical_response_hours"] == 24
    assert (payload["fingerprint"], payload["hostname"]) == ("machine-0001", "xo-appliance.local")
    # ... signed with the current key, which the public key endpoint publishes
    published = APIClient().get("/api/v1/licensing/public-key").json()
    assert payload["kid"] == licence_file["kid"] == published["current_kid"]
    [key_entry] = published["keys"]
    assert signature_is_valid(licence_file, public_key_b64=key_entry["public_key"])
    # ... and the activation is in the licence's history and the audit trail
    activation = Activation.objects.get()
    assert str(activation.pk) == payload["activation_id"]
    assert activation.signing_key.kid == payload["kid"]
    event = LicenceEvent.objects.get(licence=licence, kind=LicenceEvent.Kind.ACTIVATED)
    assert event.summary == "Activated on xo-appliance.local (1 of 2 machines)"
    assert event.detail["fingerprint"] == "machine-0001"
    audit = AuditEvent.objects.get(action="licence.activated")
    assert audit.actor_label == "public:activation"
    assert audit.organisation_id == licence.organisation_id
    assert key not in str(audit.before) + str(audit.after) + audit.summary


def test_the_same_machine_again_gets_its_file_again():
    _, key = activate_licence()
    first = _activate(key, hostname="old-name")
    assert first.status_code == 201

    again = _activate(key, hostname="new-name")

    assert again.status_code == 200
    assert again.json()["payload"]["activation_id"] == first.json()["payload"]["activation_id"]
    assert again.json()["payload"]["hostname"] == "new-name"
    assert Activation.objects.count() == 1
    assert LicenceEvent.objects.filter(kind=LicenceEvent.Kind.ACTIVATED).count() == 1


def test_the_machine_limit_refuses_a_machine_too_many_until_one_is_freed():
    # Given a licence for two machines, activated on two
    licence, key = activate_licence()
    assert licence.machine_limit == 2
    first = _activate(key, "machine-0001")
    assert _activate(key, "machine-0002").status_code == 201

    # When a third machine activates, it is refused
    refused = _activate(key, "machine-0003")
    assert refused.status_code == 409
    assert refused.json()["code"] == "machine_limit"
    assert "already activated on 2 machines" in refused.json()["detail"]
    # ... while the machines already active still get their files
    assert _activate(key, "machine-0002").status_code == 200

    # When the first deactivates, the third gets its place
    first_id = first.json()["payload"]["activation_id"]
    assert _deactivate(first_id, key).status_code == 204
    assert _activate(key, "machine-0003").status_code == 201
    # ... and the first activating again is a machine too many
    assert _activate(key, "machine-0001").status_code == 409
    assert licence_activations(licence, live_only=True).count() == 2


@pytest.mark.parametrize(
    "key",
    [
        "ABCDE-FGHJK-MNPQR-STVWX-YZ012",  # well formed, opens nothing
        "not a key",
        "ABCDE",
        "!!!!!-?????",
    ],
)
def test_a_key_that_opens_nothing_is_a_field_error_saying_nothing_more(key):
    activate_licence()

    response = _activate(key)

    assert response.status_code == 400
    assert response.json() == {
        "code": "invalid_key",
        "detail": "This licence key is not valid. Check it against the one you received.",
        "fields": {
            "key": ["This licence key is not valid. Check it against the one you received."]
        },
    }
    assert Activation.objects.count() == 0


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"key": MISSING}, "key"),
        ({"key": ""}, "key"),
        ({"key": 12345}, "key"),
        ({"key": None}, "key"),
        ({"fingerprint": MISSING}, "fingerprint"),
        ({"fingerprint": "short"}, "fingerprint"),
        ({"fingerprint": "machine 0001 with spaces"}, "fingerprint"),
        ({"fingerprint": "x" * 129}, "fingerprint"),
        ({"hostname": "bad\nname"}, "hostname"),
        ({"hostname": "h" * 254}, "hostname"),
    ],
)
def test_bad_input_is_a_field_error(body, field):
    _, key = activate_licence()
    body = {"key": key, "fingerprint": "machine-0001", **body}
    body = {name: value for name, value in body.items() if value is not MISSING}
    response = APIClient().post(ACTIVATIONS, body, format="json")
    assert response.status_code == 400, response.content
    assert field in response.json()["fields"]


def _yesterday():
    return timezone.localdate() - datetime.timedelta(days=1)


@pytest.mark.parametrize(
    ("change", "code"),
    [
        ({"status": Licence.Status.CANCELLED}, "licence_cancelled"),
        ({"status": Licence.Status.EXPIRED}, "licence_expired"),
        ({"status": Licence.Status.BOUND}, "licence_not_redeemed"),
        ("ended yesterday", "licence_expired"),
        ("starts tomorrow", "licence_not_started"),
    ],
)
def test_only_an_active_licence_within_its_term_activates(change, code):
    licence, key = activate_licence()
    today = timezone.localdate()
    if change == "ended yesterday":
        change = {"starts_on": today - datetime.timedelta(days=30), "ends_on": _yesterday()}
    elif change == "starts tomorrow":
        change = {"starts_on": today + datetime.timedelta(days=1)}
    _update(licence, **change)

    response = _activate(key)

    assert response.status_code == 409, response.content
    assert response.json()["code"] == code
    assert Activation.objects.count() == 0


def test_the_last_day_of_the_term_still_activates():
    licence, key = activate_licence()
    today = timezone.localdate()
    _update(licence, starts_on=today - datetime.timedelta(days=30), ends_on=today)
    assert _activate(key).status_code == 201


# --- Deactivating ---------------------------------------------------------------------


def test_the_appliance_deactivates_with_its_key_in_a_header():
    # Given a licence active on a machine, and another licence with its own key
    licence, key = activate_licence()
    _, other_key = activate_licence()
    activation_id = _activate(key).json()["payload"]["activation_id"]

    # A missing key, a wrong key or another licence's key change nothing
    missing = _deactivate(activation_id, None)
    assert missing.status_code == 400
    assert missing.json()["fields"] == {
        "X-Licence-Key": ["Send the licence key in the X-Licence-Key header."]
    }
    assert _deactivate(activation_id, "ABCDE-FGHJK-MNPQR-STVWX-YZ012").status_code == 404
    assert _deactivate(activation_id, other_key).status_code == 404
    assert _deactivate("00000000-0000-4000-8000-000000000000", key).status_code == 404
    assert Activation.objects.get().is_active

    # The right key frees the machine, once; a retry answers the same
    assert _deactivate(activation_id, key).status_code == 204
    assert _deactivate(activation_id, key.lower()).status_code == 204
    activation = Activation.objects.get()
    assert activation.deactivated_by == Activation.DeactivatedBy.APPLIANCE
    assert activation.deactivated_at is not None
    events = LicenceEvent.objects.filter(licence=licence, kind=LicenceEvent.Kind.DEACTIVATED)
    assert [e.summary for e in events] == [
        "machine machine-0001 deactivated (0 of 2 machines in use)"
    ]


def test_a_deactivated_licence_may_still_free_its_machines():
    licence, key = activate_licence()
    activation_id = _activate(key).json()["payload"]["activation_id"]
    _update(licence, status=Licence.Status.CANCELLED)
    assert _deactivate(activation_id, key).status_code == 204


# --- The partner releases a machine ---------------------------------------------------


def _release(client, activation):
    return client.post(f"{ACTIVATIONS}/{activation.pk}/release")


def test_the_owning_partner_releases_a_machine_its_distributor_cannot(tenants):
    # Given bob's licence, supplied through alice (a distributor), active on a machine
    licence, key = activate_licence(
        issue_licence(tenants.bob.organisation, distributor=tenants.alice.organisation)
    )
    activation = activation_activate(key=key, fingerprint="machine-0001").activation

    # The distributor reads the licence but cannot release its machine
    assert _release(tenants.alice.api(), activation).status_code == 404
    # A finance member of bob cannot either
    finance = MembershipFactory(organisation=tenants.bob.organisation, role="finance")
    with pytest.raises(Forbidden), tenant_context(tenants.bob.organisation.pk):
        activation_release(actor=finance.user, activation=activation)

    # Bob's admin releases it
    response = _release(tenants.bob.api(), activation)
    assert response.status_code == 200, response.content
    assert response.json()["deactivated_by"] == "partner"
    activation.refresh_from_db()
    assert activation.released_by == tenants.bob.admin
    event = LicenceEvent.objects.get(licence=licence, kind=LicenceEvent.Kind.DEACTIVATED)
    assert event.actor == tenants.bob.admin
    assert "released by the partner" in event.summary
    # ... once
    again = _release(tenants.bob.api(), activation)
    assert (again.status_code, again.json()["code"]) == (409, "already_released")
    # ... and the appliance may activate another machine in its place
    assert activation_activate(key=key, fingerprint="machine-0002").created


def test_a_licences_activations_live_first_then_the_freed_newest_first():
    licence, key = activate_licence()
    first = activation_activate(key=key, fingerprint="machine-0001").activation
    second = activation_activate(key=key, fingerprint="machine-0002").activation
    _deactivate(first.pk, key)
    third = activation_activate(key=key, fingerprint="machine-0003").activation
    _deactivate(second.pk, key)
    fourth = activation_activate(key=key, fingerprint="machine-0004").activation

    assert list(licence_activations(licence)) == [fourth, third, second, first]
    assert list(licence_activations(licence, live_only=True)) == [fourth, third]


def test_activations_are_visible_only_through_their_licences_tenant(tenants):
    _, alice_key = activate_licence(issue_licence(tenants.alice.organisation))
    _, bob_key = activate_licence(issue_licence(tenants.bob.organisation))
    alice_activation = activation_activate(key=alice_key, fingerprint="machine-000a").activation
    activation_activate(key=bob_key, fingerprint="machine-000b")

    with tenant_context(tenants.alice.organisation.pk):
        assert list(Activation.objects.all()) == [alice_activation]
    with tenant_context(tenants.charlie.organisation.pk):
        assert not Activation.objects.exists()


# --- Rate limits ----------------------------------------------------------------------


def test_activations_and_deactivations_are_rate_limited_per_client_ip():
    limit = ActivationRateThrottle().num_requests
    assert limit >= 10
    _, key = activate_licence()
    activation_id = _activate(key).json()["payload"]["activation_id"]
    for n in range(limit - 2):
        assert _activate(f"BAD-KEY-{n}").status_code == 400
    assert _deactivate(activation_id, "wrong").status_code == 404  # the limit-th request

    refused = _activate(key)
    assert refused.status_code == 429
    assert refused.json()["code"] == "throttled"
    assert _deactivate(activation_id, key).status_code == 429
    # Another client address has its own allowance
    other = APIClient(REMOTE_ADDR="198.51.100.7")
    assert (
        other.post(
            ACTIVATIONS, {"key": key, "fingerprint": "machine-0001"}, format="json"
        ).status_code
        == 200
    )


def test_the_public_key_is_rate_limited_too():
    from licensing.api.activation import PublicKeyRateThrottle

    limit = PublicKeyRateThrottle().num_requests
    client = APIClient()
    for _ in range(limit):
        assert client.get("/api/v1/licensing/public-key").status_code == 200
    assert client.get("/api/v1/licensing/public-key").status_code == 429
    assert published_signing_keys().count() == 1


# --- Concurrency ----------------------------------------------------------------------


def _in_threads(target, args_list):
    import threading

    from django.db import connection

    barrier = threading.Barrier(len(args_list))
    outcomes: list[str] = []

    def run(*args):
        try:
            barrier.wait(timeout=10)
            outcomes.append(target(*args))
        except Exception as exc:  # collected and asserted by the caller
            outcomes.append(getattr(exc, "code", repr(exc)))
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=args) for args in args_list]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return sorted(outcomes)


@pytest.mark.django_db(transaction=True)
def test_machines_activating_at_once_never_exceed_the_limit():
    # Given a licence for two machines
    licence, key = activate_licence()

    # When six machines activate at the same moment
    def activate(fingerprint):
        return (
            "created" if activation_activate(key=key, fingerprint=fingerprint).created else "again"
        )

    outcomes = _in_threads(activate, [(f"machine-000{n}",) for n in range(6)])

    # Then exactly two get a place
    assert outcomes == ["created"] * 2 + ["machine_limit"] * 4, outcomes
    assert licence_activations(licence, live_only=True).count() == 2
    assert LicenceEvent.objects.filter(kind=LicenceEvent.Kind.ACTIVATED).count() == 2


@pytest.mark.django_db(transaction=True)
def test_one_machine_activating_several_times_at_once_is_one_activation():
    licence, key = activate_licence()

    def activate(_):
        return (
            "created"
            if activation_activate(key=key, fingerprint="machine-0001").created
            else "again"
        )

    outcomes = _in_threads(activate, [(n,) for n in range(5)])

    assert outcomes == ["again"] * 4 + ["created"], outcomes
    assert Activation.objects.filter(licence=licence).count() == 1


def test_a_sales_member_may_release_too(tenants):
    sales = MembershipFactory(organisation=tenants.bob.organisation, role=Membership.Role.SALES)
    _, key = activate_licence(issue_licence(tenants.bob.organisation))
    activation = activation_activate(key=key, fingerprint="machine-0001").activation
    with tenant_context(tenants.bob.organisation.pk):
        released = activation_release(actor=sales.user, activation=activation)
    assert released.deactivated_by == "partner"
