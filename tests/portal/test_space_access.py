"""Who may enter the reseller space."""

import pytest
from django.test import Client

from partners.models import Organisation
from tests.factories import UserFactory


@pytest.mark.django_db
def test_anonymous_visitors_are_sent_to_log_in():
    response = Client().get("/space/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/?next=/space/")


@pytest.mark.django_db
def test_members_see_their_dashboard(tenants):
    response = tenants.bob.browser().get("/space/")
    assert response.status_code == 200
    assert tenants.bob.organisation.name in response.content.decode()


@pytest.mark.django_db
def test_people_without_an_organisation_are_refused():
    client = Client()
    client.force_login(UserFactory())
    assert client.get("/space/").status_code == 403
    staff = Client()
    staff.force_login(UserFactory(is_staff=True))
    assert staff.get("/space/").status_code == 403


@pytest.mark.django_db
def test_a_suspended_organisation_is_refused(tenants):
    Organisation.objects.filter(pk=tenants.bob.organisation.pk).update(status="suspended")
    assert tenants.bob.browser().get("/space/").status_code == 403
    assert tenants.bob.api().get("/api/v1/agreement").status_code == 403


@pytest.mark.django_db
def test_a_pending_organisation_is_sent_to_sign_its_agreement(tenants):
    Organisation.objects.filter(pk=tenants.bob.organisation.pk).update(status="pending")
    response = tenants.bob.browser().get("/space/")
    assert response.status_code == 302
    assert response["Location"] == "/space/agreement/"


@pytest.mark.django_db
def test_the_public_home_page_and_health_check():
    assert Client().get("/").status_code == 200
    assert Client().get("/healthz").json() == {"status": "ok"}
