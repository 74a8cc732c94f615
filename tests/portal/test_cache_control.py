"""Private responses are never stored by a browser or shared cache; public pages keep theirs."""

import pytest
from django.test import Client
from rest_framework.test import APIClient

from tests.factories import PASSWORD
from tests.partners.factories_directory import give_logo, listed_partner


def _directives(response) -> set[str]:
    return {d.strip().lower() for d in response.get("Cache-Control", "").split(",") if d.strip()}


def _assert_private(response):
    directives = _directives(response)
    assert "no-store" in directives, response.get("Cache-Control")
    assert "private" in directives
    assert "public" not in directives


@pytest.mark.django_db
def test_pages_for_a_logged_in_partner_are_not_stored(tenants):
    browser = tenants.bob.browser()
    for url in ("/space/", "/space/team/", "/space/profile/", "/partners/", "/"):
        response = browser.get(url)
        assert response.status_code == 200, url
        _assert_private(response)


@pytest.mark.django_db
def test_api_answers_are_not_stored_whichever_way_the_caller_logged_in(tenants):
    _assert_private(tenants.bob.api().get("/api/v1/me"))
    _assert_private(tenants.bob.api().get("/api/v1/members"))
    _assert_private(tenants.bob.browser().get("/api/v1/profile"))
    # An error for a logged-in caller is private too.
    _assert_private(tenants.bob.api().get("/api/v1/staff/applications"))


@pytest.mark.django_db
def test_login_answers_carrying_a_session_are_not_stored(tenants):
    email = tenants.bob.admin.email
    headless = APIClient().post(
        "/_allauth/app/v1/auth/login", {"email": email, "password": PASSWORD}, format="json"
    )
    assert headless.status_code == 200
    assert headless.json()["meta"]["session_token"]
    _assert_private(headless)

    form = Client().post("/accounts/login/", {"login": email, "password": PASSWORD})
    assert form.status_code == 302
    _assert_private(form)


@pytest.mark.django_db
def test_anonymous_public_pages_keep_their_caching(tenants):
    for url in ("/", "/partners/", "/apply/"):
        response = Client().get(url)
        assert response.status_code == 200, url
        assert "no-store" not in _directives(response), url
    assert "no-store" not in _directives(APIClient().get("/api/v1/directory"))


@pytest.mark.django_db
def test_a_response_its_view_marks_public_stays_public_for_a_logged_in_caller(
    tenants, settings, tmp_path
):
    # A partner's logo is the same bytes for everyone: its view says so, and that holds.
    settings.MEDIA_ROOT = tmp_path
    profile = give_logo(listed_partner(display_name="Logo Partner"))
    url = f"/partners/{profile.organisation_id}/logo"

    response = tenants.bob.browser().get(url)

    assert response.status_code == 200
    assert "public" in _directives(response)
    assert "no-store" not in _directives(response)
