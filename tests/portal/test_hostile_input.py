"""Hostile input is a 400 (413 for size) with a clear message, never a 500 (issue 6, §8).

Each case is sent to the real endpoints: the public application (API and form), team
invitations, the profile and the channel team's decisions. The rules live in one place
each: portal.api.parsers (JSON size, depth, invalid Unicode), portal.http_limits (body
size), portal.api.fields (numbers, countries) and portal.forms (numbers in forms).
"""

from __future__ import annotations

import inspect
import json

import pytest
from django.core.management import call_command
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver
from rest_framework.parsers import JSONParser as DRFJSONParser
from rest_framework.test import APIClient
from rest_framework.views import APIView

from partners.models import Invitation, PartnerApplication, PartnerProfile, PartnerType
from portal.api import parsers
from portal.api.fields import InputSerializerMixin
from portal.tenancy.context import system_context
from tests.factories import UserFactory
from tests.tenancy_support import observer

ARABIC_ONE = "\u0661"  # ARABIC-INDIC DIGIT ONE: int() reads it as 1
SUPERSCRIPT_TWO = "\u00b2"  # "²".isdigit() is true, int("²") raises
LONE_SURROGATE = "\ud800"
LONG_EMAIL = "a" * 290 + "@x.example"  # 300 characters; the column holds 254

APPLICATION = {
    "company_name": "Fjord Systems AS",
    "country": "NO",
    "website": "https://fjord.example",
    "years_in_operation": 7,
    "partner_type": "reseller",
    "contact_name": "Ingrid Berg",
    "contact_email": "ingrid@fjord.example",
    "expectations": "We resell virtualization to mid-sized Norwegian companies.",
}


@pytest.fixture
def programmes(db):
    for name in ("mattermost", "opennebula", "vates"):
        call_command("load_programme", name, stdout=None)


def post_json(client, path: str, body, method: str = "POST"):
    """The body as bytes, as a hostile client sends it: ``json.dumps`` escapes a lone
    surrogate as ``\\ud800`` (the test client's own encoder cannot encode it at all)."""
    return client.generic(method, path, json.dumps(body), content_type="application/json")


def field_error(response, field: str) -> str:
    assert response.status_code == 400, response.content
    body = response.json()
    assert field in body.get("fields", {}), body
    return body["fields"][field][0]


# --- The public application: one field at a time ----------------------------------------


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        pytest.param({"contact_email": LONG_EMAIL}, "contact_email", "254", id="300-char-email"),
        pytest.param({"website": "https://x.example/" + "a" * 300}, "website", "200", id="url"),
        pytest.param({"company_name": LONE_SURROGATE}, "company_name", "surrogate", id="sur"),
        pytest.param(
            {"expectations": f"Fine text {LONE_SURROGATE} here"},
            "expectations",
            "surrogate",
            id="surrogate-inside",
        ),
        pytest.param({"region": LONE_SURROGATE}, "region", "surrogate", id="surrogate-region"),
        pytest.param(
            {"years_in_operation": ARABIC_ONE}, "years_in_operation", "0-9", id="arabic-digit"
        ),
        pytest.param(
            {"years_in_operation": SUPERSCRIPT_TWO},
            "years_in_operation",
            "0-9",
            id="superscript-digit",
        ),
        pytest.param({"country": {}}, "country", "ISO 3166", id="country-{}"),
        pytest.param({"country": []}, "country", "ISO 3166", id="country-[]"),
        pytest.param({"country": ""}, "country", "country code", id="country-empty"),
        pytest.param({"country": 5}, "country", "ISO 3166", id="country-number"),
        pytest.param({"country": None}, "country", "null", id="country-null"),
        pytest.param({"country": {"code": "KP"}}, "country", "ISO 3166", id="country-dict"),
        pytest.param({"country": ARABIC_ONE}, "country", "country code", id="country-arabic-digit"),
        pytest.param({"partner_type": ARABIC_ONE}, "partner_type", "", id="type-arabic-digit"),
        pytest.param({"fax": 0}, "fax", "text", id="number-for-text"),
        pytest.param({"company_name": 12}, "company_name", "text", id="number-for-name"),
        pytest.param({"contact_email": True}, "contact_email", "text", id="bool-for-email"),
    ],
)
def test_the_application_api_answers_400_on_the_field_and_stores_nothing(
    programmes, changes, field, message
):
    response = post_json(APIClient(), "/api/v1/applications", {**APPLICATION, **changes})
    assert message in field_error(response, field)
    assert PartnerApplication.objects.count() == 0


def test_the_embargo_is_checked_whatever_the_country_looks_like(programmes):
    # The country is compared as a code: lower case and spaces do not slip past the embargo.
    for country in ("kp", " KP ", "cu"):
        response = post_json(
            APIClient(), "/api/v1/applications", {**APPLICATION, "country": country}
        )
        assert "embargo" in field_error(response, "country"), country
    assert PartnerApplication.objects.count() == 0


def test_the_service_refuses_an_application_without_a_real_country(programmes):
    # The last guard: whatever a caller passes, no application skips the embargo check.
    from partners.services.applications import application_submit
    from portal.errors import DomainError

    partner_type = PartnerType.objects.get(code="reseller", programme__is_default=True)
    for country in ("", None, "XX"):
        data = {**APPLICATION, "country": country, "partner_type": partner_type}
        with system_context("public:application"), pytest.raises(DomainError) as refused:
            application_submit(data=data)
        assert refused.value.field == "country"
    assert PartnerApplication.objects.count() == 0


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        pytest.param({"contact_email": LONG_EMAIL}, "contact_email", id="300-char-email"),
        pytest.param({"years_in_operation": ARABIC_ONE}, "years_in_operation", id="arabic-digit"),
        pytest.param(
            {"years_in_operation": SUPERSCRIPT_TWO}, "years_in_operation", id="superscript-digit"
        ),
        pytest.param(
            {"partner_type": SUPERSCRIPT_TWO}, "partner_type", id="type-superscript-digit"
        ),
        pytest.param({"partner_type": ARABIC_ONE}, "partner_type", id="type-arabic-digit"),
        pytest.param({"country": ""}, "country", id="country-empty"),
    ],
)
def test_the_application_form_shows_a_field_error_and_stores_nothing(programmes, changes, field):
    reseller = PartnerType.objects.get(programme__code="vates", code="reseller")
    data = {**APPLICATION, "partner_type": str(reseller.pk), **changes}
    response = Client().post("/apply/", data)
    assert response.status_code == 200
    assert field in response.context["form"].errors
    assert PartnerApplication.objects.count() == 0


def test_a_form_body_with_invalid_utf8_is_no_server_error(programmes):
    # A browser form cannot carry a lone surrogate: Django decodes the bytes of one (UTF-8
    # "\xed\xa0\x80", or %ED%A0%80) with replacement characters. Nothing reaches the
    # database unreadable, and the answer is a page, not a 500.
    reseller = PartnerType.objects.get(programme__code="vates", code="reseller")
    body = (
        "company_name=%ED%A0%80&country=NO&website=https%3A%2F%2Ff.example&years_in_operation=7"
        f"&partner_type={reseller.pk}&contact_name=I&contact_email=i%40f.example"
        "&expectations=%ED%A0%80"
    )
    client = Client(raise_request_exception=False)
    response = client.post("/apply/", body, content_type="application/x-www-form-urlencoded")
    assert response.status_code in {200, 302}
    for application in PartnerApplication.objects.all():
        application.company_name.encode("utf-8")


# --- Team, profile, the channel team's decisions -----------------------------------------


@pytest.mark.parametrize(
    ("body", "field"),
    [
        pytest.param({"email": LONG_EMAIL, "role": "sales"}, "email", id="300-char-email"),
        pytest.param({"email": f"a{LONE_SURROGATE}@x.example", "role": "sales"}, "email", id="sur"),
        pytest.param({"email": "a@x.example", "role": ARABIC_ONE}, "role", id="role-arabic-digit"),
        pytest.param({"email": "a@x.example", "role": LONE_SURROGATE}, "role", id="role-sur"),
    ],
)
def test_team_invitations_refuse_bad_input(tenants, body, field):
    field_error(post_json(tenants.alice.api(), "/api/v1/members", body), field)
    with observer():
        assert not Invitation.objects.exists()


def test_the_team_page_refuses_a_300_character_email(tenants):
    response = tenants.alice.browser().post(
        "/space/team/", {"action": "invite", "email": LONG_EMAIL, "role": "sales"}
    )
    assert response.status_code in {200, 400}
    assert "email" in response.context["invite_form"].errors
    with observer():
        assert not Invitation.objects.exists()


@pytest.mark.parametrize("field", ["display_name", "city", "description", "country", "website"])
def test_the_profile_refuses_a_lone_surrogate_in_any_field(tenants, field):
    response = post_json(tenants.alice.api(), "/api/v1/profile", {field: LONE_SURROGATE}, "PATCH")
    assert "surrogate" in field_error(response, field)
    with observer():
        assert not PartnerProfile.objects.exists()


def test_a_lone_surrogate_in_a_key_is_a_400(tenants):
    response = post_json(tenants.alice.api(), "/api/v1/profile", {LONE_SURROGATE: "x"}, "PATCH")
    assert response.status_code == 400
    assert "surrogate" in response.json()["detail"]


def test_staff_decisions_refuse_a_lone_surrogate(programmes):
    response = post_json(APIClient(), "/api/v1/applications", APPLICATION)
    assert response.status_code == 201, response.content
    staff = Client()
    staff.force_login(UserFactory(is_staff=True, is_superuser=True))
    path = f"/api/v1/staff/applications/{response.json()['id']}/reject"
    assert "surrogate" in field_error(post_json(staff, path, {"reason": LONE_SURROGATE}), "reason")
    assert PartnerApplication.objects.get().status == PartnerApplication.Status.SUBMITTED


# --- Bodies: nesting and size -------------------------------------------------------------


@pytest.mark.parametrize(
    "body",
    [
        pytest.param("[" * 100_000, id="100000-open-brackets"),
        pytest.param("[" * 100_000 + "]" * 100_000, id="100000-levels-well-formed"),
        pytest.param('{"a":' * 40 + "1" + "}" * 40, id="40-levels-of-objects"),
    ],
)
@pytest.mark.parametrize(
    ("method", "path"), [("POST", "/api/v1/applications"), ("PATCH", "/api/v1/profile")]
)
def test_deeply_nested_json_is_a_400_with_a_clear_message(tenants, body, method, path):
    client = tenants.alice.api()
    client.raise_request_exception = False
    response = client.generic(method, path, body, content_type="application/json")
    assert response.status_code == 400, response.content
    assert response.json()["code"] == "parse_error"
    assert "nested deeper than 32 levels" in response.json()["detail"]


def test_json_over_the_limit_is_a_413_before_it_is_parsed(programmes, settings):
    body = json.dumps({**APPLICATION, "expectations": "x" * settings.DATA_UPLOAD_MAX_MEMORY_SIZE})
    response = APIClient().generic(
        "POST", "/api/v1/applications", body, content_type="application/json"
    )
    assert response.status_code == 413, response.content
    assert response.json()["code"] == "too_large"
    assert PartnerApplication.objects.count() == 0


@pytest.mark.parametrize(
    "body",
    [
        pytest.param("[" * 100_000, id="100000-open-brackets"),
        pytest.param(json.dumps({"email": f"a{LONE_SURROGATE}@x.example"}), id="lone-surrogate"),
    ],
)
@pytest.mark.parametrize(
    "path", ["/_allauth/app/v1/auth/login", "/_allauth/app/v1/auth/password/request"]
)
def test_allauths_json_endpoints_get_the_same_rules(db, path, body):
    # allauth's headless views parse JSON themselves: 100,000 "[" was a RecursionError 500.
    client = Client(raise_request_exception=False)
    response = client.generic("POST", path, body, content_type="application/json")
    assert response.status_code == 400, response.content
    assert response.json()["code"] == "parse_error"


def test_too_many_fields_is_a_400_with_a_reason(tenants):
    fields = {f"field{i}": "x" for i in range(1_100)}
    response = tenants.alice.api().patch("/api/v1/profile", fields, format="multipart")
    assert response.status_code == 400
    assert response.json()["code"] == "too_many_fields"


@pytest.mark.parametrize("path", ["/api/v1/profile", "/space/profile/", "/apply/"])
def test_any_body_over_the_limit_is_refused_from_its_length(tenants, settings, path):
    # Django streams uploaded files to disk whatever their size: the length is checked
    # first, for every path.
    too_big = settings.REQUEST_BODY_MAX_BYTES + 1
    client = tenants.alice.browser()
    response = client.generic("POST", path, b"x" * too_big, content_type="multipart/form-data")
    assert response.status_code == 413
    assert f"{settings.REQUEST_BODY_MAX_BYTES:,} bytes" in response.content.decode()


# --- The rules apply to every endpoint, present and future --------------------------------


def _views(patterns=None, prefix=""):
    for pattern in patterns if patterns is not None else get_resolver().url_patterns:
        if isinstance(pattern, URLResolver):
            yield from _views(pattern.url_patterns, prefix + str(pattern.pattern))
        elif isinstance(pattern, URLPattern):
            yield prefix + str(pattern.pattern), pattern.callback


def test_every_api_view_parses_json_with_the_limits():
    checked = 0
    for route, callback in _views():
        view_class = getattr(callback, "cls", None) or getattr(callback, "view_class", None)
        if not (inspect.isclass(view_class) and issubclass(view_class, APIView)):
            continue
        checked += 1
        for parser in view_class().get_parsers():
            if isinstance(parser, DRFJSONParser):
                assert isinstance(parser, parsers.JSONParser), (route, parser)
    assert checked > 10


def _input_serializers():
    """The serializers that read request bodies and query strings, as the OpenAPI schema
    generator finds them (drf-spectacular has no public way to list them)."""
    from drf_spectacular.generators import SchemaGenerator

    generator = SchemaGenerator()
    generator._initialise_endpoints()
    for path, _regex, method, view in generator._get_paths_and_endpoints():
        view.schema.method, view.schema.path = method, path
        found = [p for p in view.schema.get_override_parameters() if inspect.isclass(p)]
        if method in {"POST", "PUT", "PATCH"}:
            body = view.schema.get_request_serializer()
            found += list(body.values()) if isinstance(body, dict) else [body]
        for serializer in found:
            if serializer is not None:
                yield f"{method} {path}", serializer


def test_every_serializer_that_reads_input_uses_the_input_rules():
    readers = list(_input_serializers())
    assert len(readers) >= 8
    for operation, serializer in readers:
        cls = serializer if inspect.isclass(serializer) else type(serializer)
        assert issubclass(cls, InputSerializerMixin), (operation, cls)
