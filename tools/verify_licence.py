#!/usr/bin/env python3
"""Verify a licence file offline: the standalone reference verifier.

Needs Python 3.11+ and the ``cryptography`` package only (no portal code), so that it can
be copied to an appliance or ported to another language. Usage::

    python verify_licence.py licence.json --public-key key.pem [--fingerprint ID]

``--public-key`` is either a PEM public key or the JSON the portal serves at
``/api/v1/licensing/public-key`` (every published key; the one the file names is used).
Prints one line starting with ``OK`` or ``FAILED`` and exits 0 or 1.

What is checked:

1. the file is a ``licence-file/1`` signed with Ed25519, and names its key (``kid``) both
   outside and inside the signed payload;
2. the signature verifies over the payload's canonical bytes: ``json.dumps(payload,
   sort_keys=True, separators=(",", ":"), ensure_ascii=False)`` encoded as UTF-8;
3. today (or ``--today``) is within the term: ``starts_on`` <= today <= ``ends_on``
   (``ends_on`` is the term's last day);
4. with ``--fingerprint``, the file was issued for that machine.
"""

from __future__ import annotations

import argparse
import base64
import datetime
import hashlib
import json
import sys
from pathlib import Path

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

FILE_FORMAT = "licence-file/1"
ALGORITHM = "Ed25519"


class VerificationFailed(Exception):
    pass


def canonical_bytes(payload: dict) -> bytes:
    return json.dumps(payload, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def key_id(key: Ed25519PublicKey) -> str:
    raw = key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return hashlib.sha256(raw).hexdigest()[:16]


def load_public_key(text: str, *, kid: str) -> Ed25519PublicKey:
    """The key a PEM holds, or the key named ``kid`` in the portal's published key set."""
    try:
        if text.lstrip().startswith("{"):
            for entry in json.loads(text)["keys"]:
                if entry["kid"] == kid:
                    raw = base64.b64decode(entry["public_key"], validate=True)
                    return Ed25519PublicKey.from_public_bytes(raw)
            raise VerificationFailed(f"the published keys have no key {kid!r}")
        key = serialization.load_pem_public_key(text.encode())
    except (KeyError, TypeError, ValueError) as exc:
        raise VerificationFailed(f"cannot read the public key: {exc}") from exc
    if not isinstance(key, Ed25519PublicKey):
        raise VerificationFailed("the public key is not an Ed25519 key")
    return key


def verify(
    licence_file: dict,
    public_key_text: str,
    *,
    fingerprint: str | None = None,
    today: datetime.date | None = None,
) -> dict:
    """The payload of a valid file; raises VerificationFailed saying why not."""
    if not isinstance(licence_file, dict) or licence_file.get("format") != FILE_FORMAT:
        raise VerificationFailed(f"not a {FILE_FORMAT} file")
    if licence_file.get("algorithm") != ALGORITHM:
        raise VerificationFailed(f"unknown algorithm {licence_file.get('algorithm')!r}")
    payload = licence_file.get("payload")
    kid = licence_file.get("kid")
    if not isinstance(payload, dict) or not isinstance(kid, str) or payload.get("kid") != kid:
        raise VerificationFailed("the file does not name its signing key consistently")

    key = load_public_key(public_key_text, kid=kid)
    if key_id(key) != kid:
        raise VerificationFailed(f"signed with key {kid}, not with the given key {key_id(key)}")
    try:
        signature = base64.b64decode(str(licence_file.get("signature", "")), validate=True)
        key.verify(signature, canonical_bytes(payload))
    except (InvalidSignature, ValueError) as exc:
        raise VerificationFailed("the signature does not match: the file was altered") from exc

    today = today or datetime.date.today()  # noqa: DTZ011 - the machine's own calendar day
    try:
        starts_on = datetime.date.fromisoformat(payload["term"]["starts_on"])
        ends_on = datetime.date.fromisoformat(payload["term"]["ends_on"])
    except (KeyError, TypeError, ValueError) as exc:
        raise VerificationFailed("the file has no valid term") from exc
    if today < starts_on:
        raise VerificationFailed(f"the term starts on {starts_on.isoformat()}")
    if today > ends_on:
        raise VerificationFailed(f"the licence expired on {ends_on.isoformat()}")
    if fingerprint is not None and payload.get("fingerprint") != fingerprint:
        raise VerificationFailed("the file was issued for another machine")
    return payload


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Verify a signed licence file offline.")
    parser.add_argument("licence", type=Path, help="the licence file (JSON)")
    parser.add_argument(
        "--public-key",
        type=Path,
        required=True,
        help="a PEM public key, or the JSON of /api/v1/licensing/public-key",
    )
    parser.add_argument("--fingerprint", help="this machine's fingerprint")
    parser.add_argument(
        "--today", type=datetime.date.fromisoformat, help="check the term on this date"
    )
    args = parser.parse_args(argv)
    try:
        try:
            licence_file = json.loads(args.licence.read_text(encoding="utf-8"))
            key_text = args.public_key.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise VerificationFailed(f"cannot read the files: {exc}") from exc
        payload = verify(licence_file, key_text, fingerprint=args.fingerprint, today=args.today)
    except (VerificationFailed, ValueError) as exc:
        print(f"FAILED: {exc}")
        return 1
    licensee = payload.get("licensee") or {}
    product = payload.get("product") or {}
    print(
        f"OK: licence {payload.get('licence_id')} for {licensee.get('name') or '?'} "
        f"<{licensee.get('email') or '?'}>: {product.get('name')} x {payload.get('quantity')}, "
        f"{payload['term']['starts_on']} to {payload['term']['ends_on']}, "
        f"machine {payload.get('fingerprint')}, key {payload.get('kid')}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
