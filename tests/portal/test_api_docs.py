"""The API docs: every operation in its area with a summary, the login explained, and a
way back to the portal."""

import pytest
from rest_framework.test import APIClient

from portal.settings.api_docs import API_TAGS


@pytest.fixture
def schema(db):
    return APIClient().get("/api/schema/", HTTP_ACCEPT="application/json").json()


def test_every_operation_is_in_an_area_and_has_a_summary(schema):
    areas = {tag for tag, _, _ in API_TAGS}
    operations = [
        (method.upper(), path, operation)
        for path, methods in schema["paths"].items()
        for method, operation in methods.items()
    ]
    assert len(operations) > 20
    for method, path, operation in operations:
        assert len(operation["tags"]) == 1, (method, path)
        assert operation["tags"][0] in areas, (method, path, operation["tags"])
        assert operation.get("summary"), (method, path)
    assert [tag["name"] for tag in schema["tags"]] == [tag for tag, _, _ in API_TAGS]
    assert {op["tags"][0] for _, path, op in operations if "/staff/" in path} == {
        "Staff: applications",
        "Staff: licensing",
    }


def test_the_description_explains_the_login_and_the_token(schema):
    description = schema["info"]["description"]
    assert "POST /_allauth/app/v1/auth/login" in description
    assert '"session_token"' in description
    assert "X-Session-Token" in description
    assert schema["components"]["securitySchemes"]["SessionToken"]["name"] == "X-Session-Token"


@pytest.mark.django_db
def test_the_docs_page_leads_back_to_the_portal():
    html = APIClient().get("/api/docs/").content.decode()
    assert '<header class="api-docs-bar">' in html
    assert 'href="/"' in html
    assert 'href="/accounts/login/"' in html
