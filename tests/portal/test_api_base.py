"""The API's shared behaviour: error shape, the sealed tenant filter, the schema and docs."""

import re

import pytest
from django.core.exceptions import ValidationError as DjangoValidationError
from rest_framework import mixins, serializers
from rest_framework.filters import BaseFilterBackend
from rest_framework.test import APIClient, APIRequestFactory, force_authenticate

from partners.models import Membership
from portal.api.errors import exception_handler
from portal.api.viewsets import TenantViewSet
from portal.errors import Conflict, DomainError
from portal.models import User
from portal.tenancy.caller import Caller
from tests.routes.harness import observe


def test_a_viewset_cannot_override_the_tenant_filter():
    with pytest.raises(TypeError, match="not overridable"):

        class Leaky(TenantViewSet):
            tenant_queryset = Membership.objects.all()

            def get_queryset(self):
                return Membership.objects.all()


class _WideningFilter:
    """A mixin defined outside TenantViewSet's hierarchy, as a library might ship one."""

    def filter_queryset(self, queryset):
        return Membership.objects.all()


class _OwnLookup:
    def get_object(self):
        return Membership.objects.get(pk=self.kwargs["id"])


class _QuerysetMixin(mixins.ListModelMixin):
    def get_queryset(self):
        return Membership.objects.all()


class _OtherOrganisation:
    @property
    def organisation(self):
        return None


@pytest.mark.parametrize(
    "mixin",
    [_WideningFilter, _OwnLookup, _QuerysetMixin, _OtherOrganisation],
    ids=lambda mixin: mixin.__name__,
)
@pytest.mark.parametrize("position", ["before", "after"])
def test_no_mixin_anywhere_in_the_mro_can_replace_the_tenant_filter(mixin, position):
    # Mixed in before TenantViewSet it would shadow it; after it, it would still replace
    # DRF's own methods that TenantViewSet builds on (filter_queryset).
    bases = (mixin, TenantViewSet) if position == "before" else (TenantViewSet, mixin)
    with pytest.raises(TypeError, match=f"in {mixin.__qualname__}.*not overridable"):
        type("Leaky", bases, {"tenant_queryset": Membership.objects.all()})


def test_a_subclass_of_a_subclass_cannot_override_filter_queryset_either():
    class Members(mixins.ListModelMixin, TenantViewSet):
        tenant_queryset = Membership.objects.all()

    with pytest.raises(TypeError, match="filter_queryset"):

        class Leaky(Members):
            def filter_queryset(self, queryset):
                return Membership.objects.all()


def test_the_tenant_queryset_must_hold_tenant_rows():
    with pytest.raises(TypeError, match="not a TenantQuerySet"):

        class Users(TenantViewSet):
            tenant_queryset = User.objects.all()


def test_drf_mixins_and_refinements_are_fine():
    class Members(mixins.ListModelMixin, mixins.RetrieveModelMixin, TenantViewSet):
        tenant_queryset = Membership.objects.all()

        def refine_queryset(self, queryset):
            return queryset.order_by("id")

    assert Members.get_queryset is TenantViewSet.get_queryset


class _Everyone(BaseFilterBackend):
    def filter_queryset(self, request, queryset, view):
        return Membership.objects.all()


class _MembershipIds(serializers.ModelSerializer):
    class Meta:
        model = Membership
        fields = ["id"]


class _Widening(mixins.ListModelMixin, TenantViewSet):
    """Both ways a subclass may still legitimately shape the list, turned against it."""

    tenant_queryset = Membership.objects.all()
    serializer_class = _MembershipIds
    filter_backends = [_Everyone]
    pagination_class = None

    def refine_queryset(self, queryset):
        return Membership.objects.all()


@pytest.mark.django_db
def test_refine_queryset_and_filter_backends_cannot_widen_the_tenant_rows(tenants):
    view = _Widening.as_view({"get": "list"})
    request = APIRequestFactory().get("/")
    request.caller = Caller(
        user=tenants.alice.admin, via="token", membership=tenants.alice.membership
    )
    force_authenticate(request, user=tenants.alice.admin)
    # With row-level security bypassed, so that only the viewset's own filter counts.
    with observe():
        response = view(request)
    assert response.status_code == 200
    assert [row["id"] for row in response.data] == [str(tenants.alice.membership.pk)]


def test_domain_errors_map_to_their_status_with_the_field():
    response = exception_handler(DomainError("Too few words.", field="description"), {})
    assert response.status_code == 400
    assert response.data == {
        "code": "invalid",
        "detail": "Too few words.",
        "fields": {"description": ["Too few words."]},
    }
    assert exception_handler(Conflict("Taken."), {}).status_code == 409


def test_validation_errors_list_every_field():
    class S(serializers.Serializer):
        email = serializers.EmailField()
        years = serializers.IntegerField(min_value=0)

    s = S(data={"email": "nope", "years": -1})
    assert not s.is_valid()
    response = exception_handler(serializers.ValidationError(s.errors), {})
    assert response.status_code == 400
    assert set(response.data["fields"]) == {"email", "years"}

    django_error = DjangoValidationError({"country": ["Embargoed country."]})
    response = exception_handler(django_error, {})
    assert response.data["fields"] == {"country": ["Embargoed country."]}


@pytest.mark.django_db
def test_anonymous_api_calls_get_401_json():
    response = APIClient().get("/api/v1/me")
    assert response.status_code == 401
    assert response.json()["code"] == "not_authenticated"


@pytest.mark.django_db
def test_unknown_api_paths_answer_json_404(settings):
    settings.DEBUG = False
    response = APIClient().get("/api/v1/does-not-exist")
    assert response.status_code == 404
    assert response.json() == {"code": "not_found", "detail": "Not found."}


@pytest.mark.django_db
def test_me_describes_the_callers_organisation_role_type_and_tier(tenants):
    body = tenants.alice.api().get("/api/v1/me").json()
    assert body["role"] == "admin"
    assert body["organisation"]["id"] == str(tenants.alice.organisation.id)
    assert body["organisation"]["partner_type"]["code"] == "distributor"
    assert body["organisation"]["tier"]["level"] == 1


@pytest.mark.django_db
def test_the_schema_is_served_and_documents_the_session_token():
    response = APIClient().get("/api/schema/", HTTP_ACCEPT="application/json")
    assert response.status_code == 200
    schema = response.json()
    assert "/api/v1/me" in schema["paths"]
    assert schema["components"]["securitySchemes"]["SessionToken"]["name"] == "X-Session-Token"


@pytest.mark.django_db
def test_the_docs_load_only_our_own_static_files():
    response = APIClient().get("/api/docs/")
    assert response.status_code == 200
    html = response.content.decode()
    sources = re.findall(r'(?:src|href)="([^"]+)"', html)
    assert sources, html
    assert all(s.startswith("/") for s in sources), sources  # nothing from a CDN
    for source in sources:
        assert APIClient().get(source).status_code == 200, source


def test_csrf_is_enforced_for_cookie_sessions():
    # A browser session (cookie) must send the CSRF token on unsafe methods; token
    # clients need none. Checked on the authentication class itself.
    from portal.api.authentication import CallerAuthentication
    from portal.tenancy.caller import Caller

    class _User:
        is_active = True
        is_authenticated = True

    request = APIRequestFactory(enforce_csrf_checks=True).post("/api/v1/me")
    request.caller = Caller(user=_User(), via="session")
    from rest_framework.exceptions import PermissionDenied
    from rest_framework.request import Request

    with pytest.raises(PermissionDenied, match="CSRF"):
        CallerAuthentication().authenticate(Request(request))
    request.caller = Caller(user=_User(), via="token")
    assert CallerAuthentication().authenticate(Request(request))[0] is request.caller.user


@pytest.mark.django_db
def test_every_operation_documents_the_errors_it_can_answer():
    schema = APIClient().get("/api/schema/", HTTP_ACCEPT="application/json").json()
    assert "Error" in schema["components"]["schemas"]
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            responses = set(operation["responses"])
            if operation.get("security"):
                assert {"401", "403"} <= responses, (method, path)
            if "{" in path:
                assert "404" in responses, (method, path)
            if method in {"post", "patch", "put"}:
                assert "400" in responses, (method, path)
