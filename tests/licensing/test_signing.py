"""The licence signing keys: Ed25519, stored encrypted, made on first use, rotated."""

from __future__ import annotations

import base64
import threading
from io import StringIO

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from django.core.management import call_command
from django.db import connection
from rest_framework.test import APIClient

from licensing.models import SigningKey
from licensing.services.signing import signing_key_current, signing_key_rotate
from licensing.signing import (
    canonical_bytes,
    generate_key_pair,
    key_id,
    public_key_pem,
    sign,
    signature_is_valid,
)
from portal.errors import Forbidden
from portal.models import AuditEvent
from tests.factories import UserFactory

PUBLIC_KEY = "/api/v1/licensing/public-key"


def _payload(kid: str, **extra) -> dict:
    return {"licence_id": "1", "licensee": {"name": "Größe 株式会社"}, "kid": kid, **extra}


def test_canonical_bytes_are_sorted_compact_utf8():
    assert canonical_bytes({"b": 1, "a": {"d": None, "c": "é"}}) == (
        '{"a":{"c":"é","d":null},"b":1}'.encode()
    )


def test_a_signed_payload_verifies_and_any_change_breaks_it():
    pair = generate_key_pair()
    licence_file = sign(
        _payload(pair.kid), kid=pair.kid, private_key_encrypted=pair.private_key_encrypted
    )
    assert signature_is_valid(licence_file, public_key_b64=pair.public_key)

    tampered = {**licence_file, "payload": _payload(pair.kid, quantity=99)}
    assert not signature_is_valid(tampered, public_key_b64=pair.public_key)
    other = generate_key_pair()
    assert not signature_is_valid(licence_file, public_key_b64=other.public_key)
    assert not signature_is_valid(
        {**licence_file, "signature": "***"}, public_key_b64=pair.public_key
    )


def test_the_key_id_is_derived_from_the_public_key_and_signed_in_the_payload():
    pair = generate_key_pair()
    assert pair.kid == key_id(base64.b64decode(pair.public_key))
    with pytest.raises(ValueError, match="must name the key"):
        sign(_payload("another"), kid=pair.kid, private_key_encrypted=pair.private_key_encrypted)


def test_the_private_key_is_stored_encrypted_with_the_passphrase(settings):
    settings.LICENCE_SIGNING_PASSPHRASE = "correct horse battery staple"
    pair = generate_key_pair()
    assert pair.private_key_encrypted.startswith("-----BEGIN ENCRYPTED PRIVATE KEY-----")

    settings.LICENCE_SIGNING_PASSPHRASE = "another passphrase"
    with pytest.raises(ValueError, match="password"):
        sign(_payload(pair.kid), kid=pair.kid, private_key_encrypted=pair.private_key_encrypted)


def test_without_a_passphrase_one_is_derived_from_the_secret_key(settings):
    settings.LICENCE_SIGNING_PASSPHRASE = ""
    pair = generate_key_pair()
    sign(_payload(pair.kid), kid=pair.kid, private_key_encrypted=pair.private_key_encrypted)

    settings.SECRET_KEY = "a different secret key"
    with pytest.raises(ValueError, match="password"):
        sign(_payload(pair.kid), kid=pair.kid, private_key_encrypted=pair.private_key_encrypted)


@pytest.mark.django_db
def test_the_public_key_endpoint_makes_the_first_key_and_publishes_it():
    # Given no key yet, when anyone asks for the public key
    response = APIClient().get(PUBLIC_KEY)

    # Then the first key is made, and published as raw base64 and PEM
    assert response.status_code == 200
    assert response["Cache-Control"] == "public, max-age=300"
    body = response.json()
    key = SigningKey.objects.get()
    assert body["current_kid"] == key.kid
    [entry] = body["keys"]
    assert entry["kid"] == key.kid
    assert entry["algorithm"] == "Ed25519"
    assert entry["current"] is True
    assert entry["retired_at"] is None
    assert entry["public_key"] == key.public_key
    assert entry["pem"].startswith("-----BEGIN PUBLIC KEY-----")
    assert "PRIVATE" not in response.content.decode()
    assert key.private_key_encrypted not in response.content.decode()
    audit = AuditEvent.objects.get(action="signing_key.created")
    assert audit.organisation_id is None
    assert audit.after == {"kid": key.kid}
    # ... and asking again makes no other
    assert APIClient().get(PUBLIC_KEY).json()["current_kid"] == key.kid
    assert SigningKey.objects.count() == 1


@pytest.mark.django_db
def test_rotation_keeps_the_old_key_published():
    # Given a first key
    first = signing_key_current()

    # When the key is rotated by the command
    out = StringIO()
    call_command("rotate_licence_key", stdout=out)

    # Then a new key is current, and the first is retired but still published
    second = signing_key_current()
    assert second.kid != first.kid
    assert f"New current licence signing key: {second.kid}" in out.getvalue()
    assert public_key_pem(second.public_key) in out.getvalue()
    first.refresh_from_db()
    assert not first.is_current
    assert first.retired_at is not None
    body = APIClient().get(PUBLIC_KEY).json()
    assert body["current_kid"] == second.kid
    assert [(k["kid"], k["current"]) for k in body["keys"]] == [
        (second.kid, True),
        (first.kid, False),
    ]
    audit = AuditEvent.objects.get(action="signing_key.rotated")
    assert audit.actor_label == "command:rotate_licence_key"
    assert (audit.before, audit.after) == ({"kid": first.kid}, {"kid": second.kid})


@pytest.mark.django_db
def test_the_first_rotation_makes_the_first_key():
    key = signing_key_rotate(actor=None)
    assert list(SigningKey.objects.all()) == [key]


@pytest.mark.django_db
def test_only_the_channel_team_with_the_permission_rotates():
    with pytest.raises(Forbidden):
        signing_key_rotate(actor=UserFactory(is_staff=True))
    assert SigningKey.objects.count() == 0
    signing_key_rotate(actor=UserFactory(is_staff=True, is_superuser=True))
    assert SigningKey.objects.count() == 1


@pytest.mark.django_db
def test_the_pem_and_the_raw_key_are_the_same_key():
    key = signing_key_current()
    raw = base64.b64decode(key.public_key)
    assert len(raw) == 32
    from cryptography.hazmat.primitives import serialization

    loaded = serialization.load_pem_public_key(public_key_pem(key.public_key).encode())
    assert isinstance(loaded, Ed25519PublicKey)
    assert loaded.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw) == raw


@pytest.mark.django_db(transaction=True)
def test_first_uses_at_once_make_one_key():
    barrier = threading.Barrier(5)
    kids: list[str] = []

    def first_use():
        try:
            barrier.wait(timeout=10)
            kids.append(signing_key_current().kid)
        except Exception as exc:  # asserted below
            kids.append(repr(exc))
        finally:
            connection.close()

    threads = [threading.Thread(target=first_use) for _ in range(5)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert SigningKey.objects.count() == 1
    assert kids == [SigningKey.objects.get().kid] * 5
