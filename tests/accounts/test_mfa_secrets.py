"""Two-factor secrets are stored encrypted (portal/mfa.py): a copy of the database alone
does not give anyone the TOTP key or the recovery codes, and the secrets enrolled before
were encrypted by the migration."""

import importlib

import pytest
from allauth.mfa.models import Authenticator
from django.apps import apps
from django.core.checks import run_checks
from rest_framework.test import APIClient

from portal.mfa import ENCRYPTED_PREFIX, secret_decrypt, secret_encrypt
from tests.accounts.test_staff_mfa import _code, _token_login
from tests.factories import PASSWORD, UserFactory

TOTP_URL = "/_allauth/app/v1/account/authenticators/totp"
RECOVERY_URL = "/_allauth/app/v1/account/authenticators/recovery-codes"
LEGACY_SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"

pytestmark = pytest.mark.django_db


def _app_client(user) -> APIClient:
    client = APIClient()
    response = client.post(
        "/_allauth/app/v1/auth/login", {"email": user.email, "password": PASSWORD}, format="json"
    )
    assert response.status_code == 200, response.content
    client.credentials(HTTP_X_SESSION_TOKEN=response.json()["meta"]["session_token"])
    return client


def test_an_enrolled_totp_key_and_recovery_seed_are_stored_encrypted():
    # Given a member enrolling TOTP in their authenticator app
    user = UserFactory()
    client = _app_client(user)
    offered = client.get(TOTP_URL)
    assert offered.status_code == 404  # not enrolled yet: the response offers a key
    secret = offered.json()["meta"]["secret"]

    # (enrolling asks for the password again)
    again = client.post(
        "/_allauth/app/v1/auth/reauthenticate", {"password": PASSWORD}, format="json"
    )
    assert again.status_code == 200, again.content
    enrolled = client.post(TOTP_URL, {"code": _code(secret)}, format="json")
    assert enrolled.status_code == 200, enrolled.content
    codes = client.get(RECOVERY_URL).json()["data"]["unused_codes"]

    # Then neither the key nor the recovery seed is in the database in the clear
    stored = {a.type: a.data for a in Authenticator.objects.filter(user=user)}
    assert stored["totp"]["secret"].startswith(ENCRYPTED_PREFIX)
    assert secret not in str(stored)
    assert secret_decrypt(stored["totp"]["secret"]) == secret
    assert stored["recovery_codes"]["seed"].startswith(ENCRYPTED_PREFIX)
    assert not any(code in str(stored) for code in codes)

    # And the key still signs them in, from a new session
    assert _token_login(user, secret) is not None
    assert client.get(RECOVERY_URL).json()["data"]["unused_codes"] == codes


def test_the_migration_encrypts_the_secrets_stored_before_once():
    migration = importlib.import_module("portal.migrations.0008_mfa_secrets_encrypted")
    user = UserFactory()
    Authenticator.objects.create(user=user, type="totp", data={"secret": LEGACY_SECRET})
    Authenticator.objects.create(
        user=user,
        type="recovery_codes",
        data={"seed": "a1" * 40, "used_mask": 0, "migrated_codes": ["12345678"]},
    )

    migration.encrypt(apps, None)
    first = {a.type: dict(a.data) for a in Authenticator.objects.filter(user=user)}
    migration.encrypt(apps, None)  # again: nothing encrypted twice
    second = {a.type: dict(a.data) for a in Authenticator.objects.filter(user=user)}

    assert first == second
    assert secret_decrypt(first["totp"]["secret"]) == LEGACY_SECRET
    assert secret_decrypt(first["recovery_codes"]["seed"]) == "a1" * 40
    assert [secret_decrypt(c) for c in first["recovery_codes"]["migrated_codes"]] == ["12345678"]
    assert first["recovery_codes"]["used_mask"] == 0

    # Reversed, the secrets are back in the clear
    migration.decrypt(apps, None)
    assert Authenticator.objects.get(user=user, type="totp").data["secret"] == LEGACY_SECRET


def test_a_new_key_decrypts_with_the_old_one_kept_until_the_secrets_are_rewritten(settings):
    from cryptography.fernet import Fernet, InvalidToken

    old, new = Fernet.generate_key().decode(), Fernet.generate_key().decode()
    settings.MFA_SECRET_KEYS = [old]
    token = secret_encrypt(LEGACY_SECRET)
    settings.MFA_SECRET_KEYS = [new, old]
    assert secret_decrypt(token) == LEGACY_SECRET
    settings.MFA_SECRET_KEYS = [new]
    with pytest.raises(InvalidToken):
        secret_decrypt(token)


def test_a_malformed_key_stops_the_portal_from_starting(settings):
    settings.MFA_SECRET_KEYS = ["not-a-fernet-key"]
    errors = [problem.id for problem in run_checks()]
    assert "portal.E003" in errors
