"""Accounts: email login, mandatory verification, rate limits, MFA, the admin's login."""

import pytest
from allauth.account.models import EmailAddress
from allauth.mfa.totp.internal.auth import (
    TOTP,
    format_hotp_value,
    generate_totp_secret,
    hotp_value,
    yield_hotp_counters_from_time,
)
from django.core import mail
from django.core.cache import cache
from django.test import Client
from rest_framework.test import APIClient

from tests.factories import PASSWORD, UserFactory

LOGIN = "/_allauth/app/v1/auth/login"


@pytest.fixture(autouse=True)
def _fresh_rate_limits():
    cache.clear()
    yield
    cache.clear()


def _login(email, password):
    return APIClient().post(LOGIN, {"email": email, "password": password}, format="json")


@pytest.mark.django_db
def test_the_api_logs_in_with_email_and_returns_a_session_token():
    user = UserFactory()
    response = _login(user.email.upper(), PASSWORD)  # emails are case-insensitive
    assert response.status_code == 200
    token = response.json()["meta"]["session_token"]
    me = APIClient().get("/api/v1/me", HTTP_X_SESSION_TOKEN=token)
    assert me.status_code == 200
    assert me.json()["user"]["email"] == user.email
    assert me.json()["organisation"] is None


@pytest.mark.django_db
def test_a_wrong_password_is_refused_with_a_field_message():
    user = UserFactory()
    response = _login(user.email, "not-the-password")
    assert response.status_code == 400
    assert response.json()["errors"][0]["param"] == "password"


@pytest.mark.django_db
def test_an_unverified_email_cannot_log_in_and_gets_a_verification_email():
    user = UserFactory()
    EmailAddress.objects.filter(user=user).update(verified=False)

    response = _login(user.email, PASSWORD)

    assert response.status_code == 401
    flows = {f["id"]: f for f in response.json()["data"]["flows"]}
    assert flows["verify_email"]["is_pending"] is True
    assert "session_token" not in response.json()["meta"] or not response.json()["meta"].get(
        "is_authenticated"
    )
    assert [m.to for m in mail.outbox] == [[user.email]]


@pytest.mark.django_db
def test_repeated_failed_logins_throttle_that_address_even_with_the_right_password():
    user = UserFactory()
    statuses = [_login(user.email, "wrong").status_code for _ in range(5)]
    assert set(statuses) == {400}
    response = _login(user.email, PASSWORD)
    assert response.status_code == 400
    assert response.json()["errors"][0]["code"] == "too_many_login_attempts"
    assert "session_token" not in response.json().get("meta", {})


@pytest.mark.django_db
def test_sign_up_is_closed():
    assert Client().get("/accounts/signup/").status_code == 200  # the "closed" page
    response = APIClient().post(
        "/_allauth/app/v1/auth/signup",
        {"email": "new@partner.example", "password": "a-long-pass-phrase-2026"},
        format="json",
    )
    assert response.status_code == 403
    assert not EmailAddress.objects.filter(email="new@partner.example").exists()


@pytest.mark.django_db
def test_password_reset_sends_an_email():
    user = UserFactory()
    response = Client().post("/accounts/password/reset/", {"email": user.email})
    assert response.status_code == 302
    assert [m.to for m in mail.outbox] == [[user.email]]
    assert "/accounts/password/reset/key/" in mail.outbox[0].body


def _current_code(secret: str) -> str:
    counter = next(yield_hotp_counters_from_time())
    return format_hotp_value(hotp_value(secret, counter))


@pytest.mark.django_db
def test_a_user_with_totp_must_give_a_code_to_log_in():
    user = UserFactory()
    secret = generate_totp_secret()
    TOTP.activate(user, secret)
    client = APIClient()

    response = client.post(LOGIN, {"email": user.email, "password": PASSWORD}, format="json")

    assert response.status_code == 401
    flows = {f["id"]: f for f in response.json()["data"]["flows"]}
    assert flows["mfa_authenticate"]["is_pending"] is True
    token = response.json()["meta"]["session_token"]
    response = client.post(
        "/_allauth/app/v1/auth/2fa/authenticate",
        {"code": _current_code(secret)},
        format="json",
        HTTP_X_SESSION_TOKEN=token,
    )
    assert response.status_code == 200
    assert response.json()["meta"]["is_authenticated"] is True


@pytest.mark.django_db
def test_the_admin_login_goes_through_allauth():
    response = Client().get("/admin/login/?next=/admin/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


@pytest.mark.django_db
def test_admin_logins_are_rate_limited_too():
    staff = UserFactory(is_staff=True)
    client = Client()
    for _ in range(5):
        response = client.post(
            "/accounts/login/?next=/admin/", {"login": staff.email, "password": "x"}
        )
        assert response.status_code == 200  # the form again, with an error
    response = client.post(
        "/accounts/login/?next=/admin/", {"login": staff.email, "password": PASSWORD}
    )
    assert response.status_code == 200
    assert b"Too many failed login attempts" in response.content
    assert "_auth_user_id" not in client.session


@pytest.mark.django_db
def test_staff_without_totp_must_enrol_before_using_the_admin(settings):
    settings.MFA_REQUIRED_FOR_STAFF = True
    staff = UserFactory(is_staff=True, is_superuser=True)
    client = Client()
    client.force_login(staff)

    response = client.get("/admin/")
    assert response.status_code == 302
    assert response["Location"] == "/accounts/2fa/totp/activate/"

    TOTP.activate(staff, generate_totp_secret())
    assert client.get("/admin/").status_code == 200


@pytest.mark.django_db
def test_staff_reach_the_admin_without_totp_when_the_setting_is_off(settings):
    settings.MFA_REQUIRED_FOR_STAFF = False
    staff = UserFactory(is_staff=True, is_superuser=True)
    client = Client()
    client.force_login(staff)
    assert client.get("/admin/").status_code == 200


@pytest.mark.django_db
def test_staff_land_in_the_admin_and_partners_in_their_space(tenants):
    staff = UserFactory(is_staff=True)
    response = Client().post("/accounts/login/", {"login": staff.email, "password": PASSWORD})
    assert response["Location"] == "/admin/"
    response = Client().post(
        "/accounts/login/", {"login": tenants.bob.admin.email, "password": PASSWORD}
    )
    assert response["Location"] == "/space/"
