"""Licence keys: random, shown once, kept only as a digest."""

import hashlib
import secrets

# Crockford-style alphabet: no I, L, O, U, so a key read aloud or retyped is unambiguous.
_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
_GROUPS, _GROUP_LENGTH = 5, 5  # 25 characters of 5 bits: 125 bits of randomness


def new_licence_key() -> str:
    chars = "".join(secrets.choice(_ALPHABET) for _ in range(_GROUPS * _GROUP_LENGTH))
    return "-".join(chars[i : i + _GROUP_LENGTH] for i in range(0, len(chars), _GROUP_LENGTH))


def normalise_key(key: str) -> str:
    """What a person may have typed: any case, spaces or missing dashes."""
    compact = "".join(ch for ch in key.upper() if ch.isalnum())
    return "-".join(compact[i : i + _GROUP_LENGTH] for i in range(0, len(compact), _GROUP_LENGTH))


def key_digest(key: str) -> str:
    return hashlib.sha256(normalise_key(key).encode()).hexdigest()


def key_hint(key: str) -> str:
    return normalise_key(key)[-5:]


def key_from_bytes(raw: bytes) -> str:
    """The key spelled from the first 16 bytes of ``raw`` (125 of their bits), for a key
    that must be made again from a secret rather than drawn at random (the redemption's
    key email: licensing.services.redemption)."""
    if len(raw) < 16:
        raise ValueError("a licence key needs at least 16 bytes")
    number = int.from_bytes(raw[:16], "big")
    chars = []
    for _ in range(_GROUPS * _GROUP_LENGTH):
        chars.append(_ALPHABET[number & 31])
        number >>= 5
    return "-".join(
        "".join(chars[i : i + _GROUP_LENGTH]) for i in range(0, len(chars), _GROUP_LENGTH)
    )
