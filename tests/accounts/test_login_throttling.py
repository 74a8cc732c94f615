"""Failed logins are throttled per address and per account-and-address, never per account
alone (ASVS 5 V6.3): an attacker's wrong passwords must not lock the owner out.

Addresses are from the documentation ranges (RFC 5737); the test client only sets them as
REMOTE_ADDR or X-Forwarded-For, nothing is sent anywhere."""

import pytest
from django.test import Client
from rest_framework.test import APIClient

from tests.factories import PASSWORD, UserFactory

LOGIN = "/_allauth/app/v1/auth/login"
FORM = "/accounts/login/"
ATTACKER = "203.0.113.66"
OWNER = "198.51.100.7"


def _headless(email, password, address):
    return APIClient().post(
        LOGIN, {"email": email, "password": password}, format="json", REMOTE_ADDR=address
    )


def _form(email, password, address, next_url=""):
    client = Client(REMOTE_ADDR=address)
    response = client.post(f"{FORM}{next_url}", {"login": email, "password": password})
    return response, client


def _throttled_headless(response) -> bool:
    return response.status_code == 400 and (
        response.json()["errors"][0]["code"] == "too_many_login_attempts"
    )


def _throttled_form(response) -> bool:
    return response.status_code == 200 and b"Too many failed login attempts" in response.content


@pytest.mark.django_db
def test_an_attackers_failures_do_not_stop_the_owner_logging_in_elsewhere_headless():
    owner = UserFactory()
    for _ in range(20):
        _headless(owner.email, "guess", ATTACKER)
    # The attacker's address is refused, even with the right password ...
    assert _throttled_headless(_headless(owner.email, PASSWORD, ATTACKER))

    # ... the owner, from their own address, is not.
    response = _headless(owner.email, PASSWORD, OWNER)
    assert response.status_code == 200, response.content
    assert response.json()["meta"]["session_token"]


@pytest.mark.django_db
def test_an_attackers_failures_do_not_stop_the_owner_logging_in_elsewhere_form():
    owner = UserFactory()
    for _ in range(20):
        _form(owner.email, "guess", ATTACKER)
    response, _ = _form(owner.email, PASSWORD, ATTACKER)
    assert _throttled_form(response)

    response, client = _form(owner.email, PASSWORD, OWNER)
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(owner.pk)


@pytest.mark.django_db
def test_staff_reach_the_admin_login_from_their_address_during_an_attack():
    # The admin's login is allauth's (secure_admin_login), so it follows the same rule.
    staff = UserFactory(is_staff=True)
    for _ in range(20):
        _form(staff.email, "guess", ATTACKER, "?next=/admin/")
    response, _ = _form(staff.email, PASSWORD, ATTACKER, "?next=/admin/")
    assert _throttled_form(response)

    response, client = _form(staff.email, PASSWORD, OWNER, "?next=/admin/")
    assert response.status_code == 302
    assert response["Location"] == "/admin/"
    assert client.session["_auth_user_id"] == str(staff.pk)


@pytest.mark.django_db
def test_five_failures_on_one_account_throttle_that_account_from_that_address():
    owner, other = UserFactory(), UserFactory()
    statuses = [_headless(owner.email, "guess", ATTACKER).status_code for _ in range(5)]
    assert statuses == [400] * 5
    assert _throttled_headless(_headless(owner.email, "guess", ATTACKER))
    assert _throttled_headless(_headless(owner.email, PASSWORD, ATTACKER))
    # The same address may still try another account (the address limit is ten a minute).
    assert _headless(other.email, PASSWORD, ATTACKER).status_code == 200


@pytest.mark.django_db
def test_ten_failures_from_one_address_throttle_that_address_for_every_account():
    victims = [UserFactory() for _ in range(10)]
    for victim in victims:  # one guess each: no account-and-address limit is reached
        assert _headless(victim.email, "guess", ATTACKER).status_code == 400
    fresh = UserFactory()
    assert _throttled_headless(_headless(fresh.email, PASSWORD, ATTACKER))
    response, _ = _form(fresh.email, PASSWORD, ATTACKER)
    assert _throttled_form(response)
    # Everyone else is unaffected.
    assert _headless(fresh.email, PASSWORD, OWNER).status_code == 200


@pytest.mark.django_db
def test_a_successful_login_does_not_count_as_a_failure():
    owner = UserFactory()
    for _ in range(4):
        _headless(owner.email, "typo", OWNER)
    for _ in range(3):
        assert _headless(owner.email, PASSWORD, OWNER).status_code == 200
    assert _headless(owner.email, "typo", OWNER).status_code == 400  # the fifth failure
    assert _throttled_headless(_headless(owner.email, PASSWORD, OWNER))


@pytest.mark.django_db
def test_behind_a_trusted_proxy_the_forwarded_address_is_the_one_throttled(settings):
    settings.TRUSTED_PROXY_COUNT = settings.ALLAUTH_TRUSTED_PROXY_COUNT = 1
    owner = UserFactory()
    proxy = "192.0.2.1"

    def through_proxy(password, client_address):
        return APIClient().post(
            LOGIN,
            {"email": owner.email, "password": password},
            format="json",
            REMOTE_ADDR=proxy,
            HTTP_X_FORWARDED_FOR=client_address,
        )

    for _ in range(20):
        through_proxy("guess", ATTACKER)
    assert _throttled_headless(through_proxy(PASSWORD, ATTACKER))
    assert through_proxy(PASSWORD, OWNER).status_code == 200
