"""The licence file's cryptography: Ed25519 (the ``cryptography`` package), nothing stored.

A licence file is JSON::

    {"format": "licence-file/1", "algorithm": "Ed25519", "kid": "<key id>",
     "payload": {...}, "signature": "<base64 of the 64-byte signature>"}

The signature covers the payload's canonical bytes: ``json.dumps(payload, sort_keys=True,
separators=(",", ":"), ensure_ascii=False)`` encoded as UTF-8. The payload holds no floats
(dates are ISO 8601 strings, quantities integers), so any language's JSON library can
rebuild those bytes. The payload names its ``kid`` too, so the key id is signed; the
standalone verifier (tools/verify_licence.py) repeats these rules without Django.

Private keys are stored as encrypted PKCS #8 PEM. The passphrase is
``settings.LICENCE_SIGNING_PASSPHRASE``, or, when that is empty, one derived from
``SECRET_KEY`` (so changing ``SECRET_KEY`` without setting the passphrase makes stored keys
unreadable: set LICENCE_SIGNING_PASSPHRASE in production).
"""

from __future__ import annotations

import base64
import hashlib
import json
from dataclasses import dataclass

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import (
    Ed25519PrivateKey,
    Ed25519PublicKey,
)
from django.conf import settings

FILE_FORMAT = "licence-file/1"
ALGORITHM = "Ed25519"


def canonical_bytes(payload: dict) -> bytes:
    """The exact bytes a signature covers."""
    return json.dumps(payload, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def _passphrase() -> bytes:
    configured = settings.LICENCE_SIGNING_PASSPHRASE
    if configured:
        return configured.encode()
    return (
        hashlib.sha256(f"licence-signing-key:{settings.SECRET_KEY}".encode()).hexdigest().encode()
    )


@dataclass(frozen=True)
class NewKeyPair:
    kid: str
    public_key: str  # raw, base64
    private_key_encrypted: str  # PKCS #8 PEM, encrypted


def key_id(raw_public_key: bytes) -> str:
    """A key's id: the first 16 hex digits of the SHA-256 of its raw public key, so anyone
    holding the public key can check that it is the one a file names."""
    return hashlib.sha256(raw_public_key).hexdigest()[:16]


def generate_key_pair() -> NewKeyPair:
    private = Ed25519PrivateKey.generate()
    raw_public = private.public_key().public_bytes(
        serialization.Encoding.Raw, serialization.PublicFormat.Raw
    )
    encrypted = private.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.BestAvailableEncryption(_passphrase()),
    )
    return NewKeyPair(
        kid=key_id(raw_public),
        public_key=base64.b64encode(raw_public).decode(),
        private_key_encrypted=encrypted.decode(),
    )


def public_key_pem(public_key_b64: str) -> str:
    key = Ed25519PublicKey.from_public_bytes(base64.b64decode(public_key_b64))
    return key.public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    ).decode()


def sign(payload: dict, *, kid: str, private_key_encrypted: str) -> dict:
    """The licence file for ``payload``, signed with the key ``kid``."""
    if payload.get("kid") != kid:
        raise ValueError("the payload must name the key that signs it")
    private = serialization.load_pem_private_key(
        private_key_encrypted.encode(), password=_passphrase()
    )
    if not isinstance(private, Ed25519PrivateKey):
        raise TypeError("licence signing keys are Ed25519 keys")
    signature = private.sign(canonical_bytes(payload))
    return {
        "format": FILE_FORMAT,
        "algorithm": ALGORITHM,
        "kid": kid,
        "payload": payload,
        "signature": base64.b64encode(signature).decode(),
    }


def signature_is_valid(licence_file: dict, *, public_key_b64: str) -> bool:
    """Whether the file's signature verifies with the key (the portal's own check; the
    appliances use tools/verify_licence.py or their own port of it)."""
    try:
        key = Ed25519PublicKey.from_public_bytes(base64.b64decode(public_key_b64))
        key.verify(
            base64.b64decode(licence_file["signature"], validate=True),
            canonical_bytes(licence_file["payload"]),
        )
    except (InvalidSignature, KeyError, TypeError, ValueError):
        return False
    return True
