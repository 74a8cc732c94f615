"""Two-factor secrets encrypted at rest. allauth stores each authenticator's secret (the
TOTP key, the recovery codes' seed) in the database and passes it through the MFA
adapter's ``encrypt`` and ``decrypt`` hooks, which store it in the clear by default. Here
they are Fernet tokens (AES-128-CBC with an HMAC, the ``cryptography`` package), so a
copy of the database alone does not give anyone a staff member's second factor.

The keys are ``settings.MFA_SECRET_KEYS``: Fernet keys, the first encrypts, every one
decrypts (add a new key first, re-save, then drop the old one). Empty: one key derived
from ``SECRET_KEY``, so changing ``SECRET_KEY`` without setting MFA_SECRET_KEYS makes the
enrolled authenticators unreadable: production sets its own.
"""

from __future__ import annotations

import base64
import hashlib

from allauth.mfa.adapter import DefaultMFAAdapter
from cryptography.fernet import Fernet, MultiFernet
from django.conf import settings

#: Every Fernet token starts so (version byte 0x80, base64): how a migration tells an
#: encrypted secret from one stored before encryption.
ENCRYPTED_PREFIX = "gAAAAA"


def secret_box() -> MultiFernet:
    keys = list(settings.MFA_SECRET_KEYS)
    if not keys:
        digest = hashlib.sha256(f"mfa-secrets:{settings.SECRET_KEY}".encode()).digest()
        keys = [base64.urlsafe_b64encode(digest).decode()]
    return MultiFernet([Fernet(key) for key in keys])


def secret_encrypt(text: str) -> str:
    return secret_box().encrypt(text.encode()).decode()


def secret_decrypt(token: str) -> str:
    """The secret; a token no key opens raises ``cryptography.fernet.InvalidToken``
    (a configuration error, never treated as a secret stored in the clear)."""
    return secret_box().decrypt(token.encode()).decode()


class MFAAdapter(DefaultMFAAdapter):
    def encrypt(self, text: str) -> str:
        return secret_encrypt(text)

    def decrypt(self, encrypted_text: str) -> str:
        return secret_decrypt(encrypted_text)
