"""MFA_REQUIRED_FOR_STAFF holds on every door: session cookie, session token, admin.

A staff account without TOTP used to log in through the headless app endpoint, get a
session token and use the staff API (the check looked at the cookie user only)."""

import uuid

import pytest
from allauth.mfa.totp.internal.auth import (
    TOTP,
    format_hotp_value,
    generate_totp_secret,
    hotp_value,
    yield_hotp_counters_from_time,
)
from django.test import Client
from rest_framework.test import APIClient

from tests.factories import PASSWORD, UserFactory

LOGIN = "/_allauth/app/v1/auth/login"
QUEUE = "/api/v1/staff/applications"
ENROL = "/accounts/2fa/totp/activate/"


@pytest.fixture(autouse=True)
def _mfa_required(settings):
    settings.MFA_REQUIRED_FOR_STAFF = True


def _staff():
    return UserFactory(is_staff=True, is_superuser=True)


def _code(secret: str) -> str:
    counter = next(yield_hotp_counters_from_time())
    return format_hotp_value(hotp_value(secret, counter))


def _token_login(user, secret: str | None = None) -> APIClient:
    """Logs in the way apps do; with a secret, completes the TOTP step too."""
    client = APIClient()
    response = client.post(LOGIN, {"email": user.email, "password": PASSWORD}, format="json")
    token = response.json()["meta"]["session_token"]
    if secret is None:
        assert response.status_code == 200, response.content
    else:
        assert response.status_code == 401  # the TOTP step is pending
        response = client.post(
            "/_allauth/app/v1/auth/2fa/authenticate",
            {"code": _code(secret)},
            format="json",
            HTTP_X_SESSION_TOKEN=token,
        )
        assert response.status_code == 200, response.content
        token = response.json()["meta"]["session_token"]  # a new token once fully logged in
    client.credentials(HTTP_X_SESSION_TOKEN=token)
    return client


def _assert_mfa_refusal(response):
    assert response.status_code == 403
    body = response.json()
    assert body["code"] == "mfa_required"
    assert "authenticator app" in body["detail"]
    assert ENROL in body["detail"]


@pytest.mark.django_db
def test_a_session_token_without_totp_cannot_read_or_change_the_staff_api():
    client = _token_login(_staff())

    _assert_mfa_refusal(client.get(QUEUE))
    _assert_mfa_refusal(client.get(f"{QUEUE}/{uuid.uuid4()}"))
    _assert_mfa_refusal(client.post(f"{QUEUE}/{uuid.uuid4()}/approve"))
    # The token still reaches what a staff member needs to enrol and to know who they are.
    assert client.get("/_allauth/app/v1/account/authenticators").status_code == 200
    assert client.get("/api/v1/me").status_code == 200


@pytest.mark.django_db
def test_a_session_token_with_totp_reaches_the_staff_api():
    staff = _staff()
    secret = generate_totp_secret()
    TOTP.activate(staff, secret)

    client = _token_login(staff, secret)

    assert client.get(QUEUE).status_code == 200


@pytest.mark.django_db
def test_a_session_cookie_without_totp_cannot_use_the_staff_api():
    staff = _staff()
    client = Client()
    client.force_login(staff)

    _assert_mfa_refusal(client.get(QUEUE))

    TOTP.activate(staff, generate_totp_secret())
    assert client.get(QUEUE).status_code == 200


@pytest.mark.django_db
def test_the_admin_sends_staff_without_totp_to_enrol_whichever_way_they_came():
    staff = _staff()
    browser = Client()
    browser.force_login(staff)
    token_client = _token_login(staff)

    for client in (browser, token_client):
        response = client.get("/admin/")
        assert response.status_code == 302
        assert response["Location"] == ENROL

    TOTP.activate(staff, generate_totp_secret())
    assert browser.get("/admin/").status_code == 200


@pytest.mark.django_db
def test_partners_and_anonymous_callers_are_not_asked_for_staff_mfa(tenants):
    assert APIClient().get(QUEUE).status_code == 401
    assert tenants.bob.api().get(QUEUE).status_code == 403
    assert tenants.bob.api().get(QUEUE).json()["code"] != "mfa_required"
    assert tenants.bob.api().get("/api/v1/me").status_code == 200


@pytest.mark.django_db
def test_no_door_asks_for_totp_when_the_setting_is_off(settings):
    settings.MFA_REQUIRED_FOR_STAFF = False
    staff = _staff()
    assert _token_login(staff).get(QUEUE).status_code == 200


@pytest.mark.django_db(transaction=True)
def test_the_token_door_holds_in_production_like_transactions():
    # The check runs inside the request's database context (the app role), as in production.
    staff = _staff()
    _assert_mfa_refusal(_token_login(staff).get(QUEUE))
    secret = generate_totp_secret()
    TOTP.activate(staff, secret)
    assert _token_login(staff, secret).get(QUEUE).status_code == 200
