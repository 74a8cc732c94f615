"""The generic cross-tenant test: every route of the URL configuration.

It walks the URL configuration and fails when a route anywhere has no entry in
tests/routes (ROUTES by URL name, or GROUPS by URL prefix with the test that proves it), so
a new route cannot ship without saying how it keeps tenants apart. Then:

- every member route runs for every role (admin, sales, technical, finance) of all three
  tenants, through both the session token (API clients) and the session cookie (browsers),
  with the organisations active, pending and suspended; each caller gets what the route's
  declared rules give it (tests/routes/cases.py), and never another tenant's object or
  identifiers; anonymous visitors and users of no organisation are refused;
- every request except the owner's own allowed writes leaves the database unchanged,
  compared by a digest of every row of every table; the owner's writes change no other
  tenant's rows;
- a public route is reached by an anonymous request and shows no tenant's private data
  (planted in every tenant: member, invitation and contact emails, legal names, agreement
  signatories, training records);
- every /api/v1/ view is a TenantViewSet or is listed with its reason
  (tests/routes/api_views.py).
"""

from __future__ import annotations

import importlib
import json
from collections.abc import Iterator

import pytest
from django.conf import settings
from django.shortcuts import resolve_url
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver
from rest_framework.permissions import AllowAny, IsAuthenticated

from portal.api.permissions import IsPartnerMember
from portal.api.viewsets import TenantViewSet
from tests.factories import UserFactory
from tests.routes import GROUPS, ROUTES
from tests.routes.api_views import (
    AUTHENTICATED,
    MEMBER,
    OUTSIDE_TENANT_VIEWSET,
    PUBLIC,
    STAFF,
)
from tests.routes.cases import (
    ACTIVE,
    PENDING,
    SUSPENDED,
    OwnData,
    Public,
    StaffOnly,
    TenantCollection,
    TenantObject,
)
from tests.routes.harness import (
    callers,
    changed,
    cookie_client,
    member_with_role,
    plant_private_data,
    set_status,
    snapshot,
    supply,
    token_client,
)

STATUSES = (ACTIVE, PENDING, SUSPENDED)
MEMBER_CASES = (OwnData, TenantObject, TenantCollection, StaffOnly)
NO_SUCH_ID = "00000000-0000-4000-8000-000000000000"
REACHED_NOT = {401, 403, 404, 405}  # an allowed call that answers one of these was refused


def _walk(patterns, prefix: str = "", namespace: str = "") -> Iterator[tuple[str, str, object]]:
    for pattern in patterns:
        route = prefix + str(pattern.pattern)
        if isinstance(pattern, URLResolver):
            ns = namespace
            if pattern.namespace:
                ns = f"{namespace}{pattern.namespace}:"
            yield from _walk(pattern.url_patterns, route, ns)
        elif isinstance(pattern, URLPattern):
            name = f"{namespace}{pattern.name}" if pattern.name else route
            yield route.lstrip("^"), name, pattern


def all_routes() -> dict[str, str]:
    """Every route of the URL configuration: {name (or the route if unnamed): route}."""
    return {name: route for route, name, _ in _walk(get_resolver().url_patterns)}


def _grouped(route: str) -> bool:
    return route.startswith(tuple(GROUPS))


# --- Every route is declared ----------------------------------------------------------


def test_every_route_is_declared():
    routes = all_routes()
    undeclared = sorted(n for n, r in routes.items() if n not in ROUTES and not _grouped(r))
    assert undeclared == [], f"routes missing from tests/routes: {undeclared}"
    stale = sorted(set(ROUTES) - set(routes))
    assert stale == [], f"tests/routes names routes that no longer exist: {stale}"
    twice = sorted(n for n in ROUTES if _grouped(routes[n]))
    assert twice == [], f"routes both named and under a grouped prefix: {twice}"
    empty = sorted(p for p in GROUPS if not any(r.startswith(p) for r in routes.values()))
    assert empty == [], f"GROUPS prefixes that match no route: {empty}"


@pytest.mark.parametrize("prefix", sorted(GROUPS))
def test_each_grouped_prefix_names_a_test_that_exists(prefix):
    path, _, function = GROUPS[prefix].proven_by.partition("::")
    module = importlib.import_module(path.removesuffix(".py").replace("/", "."))
    assert callable(getattr(module, function, None)), GROUPS[prefix].proven_by
    assert GROUPS[prefix].reason


def test_no_route_is_declared_public_without_a_path_to_prove_it():
    unproven = sorted(n for n, c in ROUTES.items() if isinstance(c, Public) and not c.path)
    assert unproven == [], f"Public routes need path= so the test can prove them: {unproven}"


# --- Requests -------------------------------------------------------------------------


def _is_api(url: str) -> bool:
    return url.startswith("/api/")


def _call(client, method: str, url: str, data: dict | None = None):
    if method == "get":
        return client.get(url)
    if _is_api(url):
        body = json.dumps(data or {})
        return getattr(client, method)(url, body, content_type="application/json")
    return getattr(client, method)(url, data or {})  # a browser's form post


def _body(response) -> str:
    if getattr(response, "streaming", False):
        return b"".join(response.streaming_content).decode(errors="replace")
    return response.content.decode(errors="replace")


def _refusal(url: str, *, status: str, statuses: frozenset[str] | None) -> str:
    """What a member who may not use the route gets: the reseller space's pages send a
    pending organisation to its agreement (unless the page is part of signing it);
    everything else answers 403."""
    if not _is_api(url) and status == PENDING and statuses is not None and PENDING not in statuses:
        return "pending redirect"
    return "403"


def _outcome(response) -> str:
    if response.status_code == 302:
        if response["Location"] == resolve_url(settings.TENANCY_PENDING_URL):
            return "pending redirect"
        if response["Location"].startswith(resolve_url(settings.LOGIN_URL)):
            return "login redirect"
    return str(response.status_code)


def _shows_no_other_tenant(response, caller, tenants, where, supplied=frozenset()) -> None:
    """No other tenant's id or name, except the resellers whose rows the caller reads as
    their distributor (``supplied``: their keys)."""
    body = _body(response)
    for other in tenants:
        if other is not caller.tenant and _key(other) not in supplied:
            assert str(other.organisation.id) not in body, (*where, "shows", other.organisation)
            assert other.organisation.name not in body, (*where, "shows", other.organisation)


def _supplies(caller, obj) -> bool:
    """Whether the caller's organisation reads ``obj`` as the distributor it was placed
    through (two-tier distribution: read-only, never changed)."""
    return getattr(obj, "distributor_id", None) == caller.tenant.organisation.pk


def _suppliers(case, caller) -> frozenset[str]:
    """The caller's own distributor, where the route may name it (``shows_supplier``)."""
    distributor = caller.tenant.organisation.distributor_id
    return frozenset({str(distributor)}) if case.shows_supplier and distributor else frozenset()


def _resellers(case, caller, tenants) -> frozenset[str]:
    """The tenants attached to the caller as its resellers, where the route may name them
    (``shows_resellers``: a distributor's list of its resellers)."""
    if not case.shows_resellers:
        return frozenset()
    own = caller.tenant.organisation.pk
    return frozenset(_key(t) for t in tenants if t.organisation.distributor_id == own)


def _type(caller) -> str:
    return caller.tenant.organisation.partner_type.code


def _supplied_keys(caller, tenants, owned) -> frozenset[str]:
    return frozenset(
        _key(t) for t in tenants if t is not caller.tenant and _supplies(caller, owned[_key(t)])
    )


def _unchanged(before, label) -> dict:
    after = snapshot()
    assert changed(before, after) == [], f"{label} changed the database"
    return after


def _unchanged_but_counted(case, caller, before, where) -> dict:
    """Nothing changed, but the caller's own rows of the tables the route counts its
    reads in (``counted_reads``: a download counted for the caller's organisation)."""
    counted = getattr(case, "counted_reads", frozenset())
    if not counted:
        return _unchanged(before, where)
    after = snapshot()
    own = str(caller.tenant.organisation.pk)
    changes = changed(before, after)
    assert [c for c in changes if c != _counted_row(c, counted, own)] == [], (
        f"{where} changed the database"
    )
    return after


def _counted_row(change: str, counted: frozenset[str], own: str) -> str | None:
    table, _, owner = change.partition("[")
    return change if table in counted and owner.rstrip("]") == own else None


# --- Member routes: every role, every status, token and cookie ------------------------


def _member_items():
    for name, case in sorted(ROUTES.items()):
        if isinstance(case, MEMBER_CASES):
            for status in STATUSES:
                yield pytest.param(name, status, id=f"{name}-{status}")


@pytest.mark.django_db
@pytest.mark.parametrize(("name", "status"), list(_member_items()))
def test_route_keeps_tenants_apart(name, status, tenants):
    case = ROUTES[name]
    supply(tenants.bob, tenants.alice)  # bob resells what alice distributes
    everyone = callers(tenants)
    set_status(tenants, status)
    if isinstance(case, OwnData) and case.setup:
        for tenant in tenants:
            case.setup(tenant)
    owned = {}
    if isinstance(case, TenantObject | TenantCollection):
        owned = {_key(tenant): case.make(tenant) for tenant in tenants}

    _outsiders_are_refused(name, case, owned)
    before = snapshot()
    for caller in everyone:
        where = (name, status, str(caller))
        if isinstance(case, StaffOnly):
            _staff_only(case, caller, where)
        elif isinstance(case, OwnData):
            _own_data(case, caller, tenants, status, where)
        elif isinstance(case, TenantObject):
            _tenant_object(case, caller, tenants, status, owned, where)
        else:
            _tenant_collection(case, caller, tenants, status, owned, where)
        before = _unchanged_but_counted(case, caller, before, where)
    if not isinstance(case, StaffOnly):
        _owners_allowed_writes(name, case, everyone, tenants, status)


def _key(tenant) -> str:
    return str(tenant.organisation.pk)


def _path(case, obj=None) -> str:
    return case.path.format(id=obj.pk) if obj is not None else case.path


def _outsiders_are_refused(name, case, owned) -> None:
    """Anonymous visitors, and a user who belongs to no organisation (token and cookie)."""
    loner = UserFactory(email="loner@nowhere.example")
    outsiders = {
        "anonymous": (Client(), "401" if _is_api(case.path) else "login redirect"),
        "no organisation/token": (token_client(loner), None),
        "no organisation/cookie": (cookie_client(loner), None),
    }
    obj = next(iter(owned.values()), None)
    url = _path(case, obj) if obj is not None else case.path.format(id=NO_SUCH_ID)
    before = snapshot()
    for label, (client, expected) in outsiders.items():
        for method in case.methods:
            response = _call(client, method, url, getattr(case, "data", {}).get(method))
            wanted = expected or str(getattr(case, "without_organisation", 403))
            if method != "get" and wanted == "200":
                continue  # such a route's writes are its members' (checked with them)
            assert _outcome(response) == wanted, (name, label, method, _outcome(response))
            if obj is not None:
                assert str(obj.pk) not in _body(response), (name, label, method)
    _unchanged(before, (name, "outsiders"))


def _staff_only(case, caller, where) -> None:
    url = case.path.format(id=NO_SUCH_ID)
    for method in case.methods:
        response = _call(caller.client, method, url)
        assert response.status_code == 403, (*where, method, response.status_code)


def _expect(response, expected: str, where) -> None:
    assert _outcome(response) == expected, (*where, "expected", expected, _body(response)[:300])


def _own_data(case, caller, tenants, status, where) -> None:
    for method in case.methods:
        allowed = case.allows(method, role=caller.role, status=status, partner_type=_type(caller))
        if method != "get" and allowed:
            continue  # the owner's allowed writes run last (_owners_allowed_writes)
        response = _call(caller.client, method, case.path, case.data.get(method))
        named = _suppliers(case, caller) | _resellers(case, caller, tenants)
        _shows_no_other_tenant(response, caller, tenants, (*where, method), named)
        if not allowed:
            _expect(response, _refusal(case.path, status=status, statuses=case.statuses), where)
            continue
        _expect(response, "200", (*where, method))
        body = _body(response)
        own = caller.tenant.organisation
        assert str(own.id) in body or own.name in body, (*where, "does not show its own")


def _tenant_object(case, caller, tenants, status, owned, where) -> None:
    for method in case.methods:
        allowed = case.allows(method, role=caller.role, status=status, partner_type=_type(caller))
        refusal = _refusal(case.path, status=status, statuses=case.statuses)
        for other in tenants:
            if other is caller.tenant:
                continue
            obj = owned[_key(other)]
            response = _call(caller.client, method, _path(case, obj), case.data.get(method))
            if method == "get" and case.supplier_reads and _supplies(caller, obj):
                # The distributor reads what was placed through it, and nothing of a third.
                _expect(response, "200" if allowed else refusal, (*where, method, "supplied"))
                others = [t for t in tenants if t not in (caller.tenant, other)]
                _shows_no_other_tenant(response, caller, others, (*where, method, "supplied"))
                continue
            _expect(response, "404" if allowed else refusal, (*where, method, "foreign"))
        if method != "get" and allowed:
            continue  # the owner's allowed writes run last, on fresh objects
        response = _call(caller.client, method, _path(case, owned[_key(caller.tenant)]))
        _expect(response, "200" if allowed else refusal, (*where, method, "own"))
        _shows_no_other_tenant(
            response, caller, tenants, (*where, method), _suppliers(case, caller)
        )


def _tenant_collection(case, caller, tenants, status, owned, where) -> None:
    for method in case.methods:
        allowed = case.allows(method, role=caller.role, status=status, partner_type=_type(caller))
        if method != "get" and allowed:
            continue  # the owner's allowed writes run last
        response = _call(caller.client, method, case.path, case.data.get(method))
        supplied = _supplied_keys(caller, tenants, owned)
        named = supplied | _resellers(case, caller, tenants) | _suppliers(case, caller)
        _shows_no_other_tenant(response, caller, tenants, (*where, method), named)
        if not allowed:
            _expect(response, _refusal(case.path, status=status, statuses=case.statuses), where)
            continue
        _expect(response, "200", (*where, method))
        body = _body(response)
        assert str(owned[_key(caller.tenant)].pk) in body, (*where, "misses its own")
        for other in tenants:
            if other is caller.tenant:
                continue
            shown = str(owned[_key(other)].pk) in body
            if _key(other) in supplied:
                assert shown, (*where, "misses what it supplied", other.organisation)
            else:
                assert not shown, (*where, "shows", other.organisation)


def _owners_allowed_writes(name, case, everyone, tenants, status) -> None:
    """Each tenant's allowed writes, once per way in (token, cookie), by the first role
    allowed: they reach the view and change no other tenant's rows."""
    for method in case.methods:
        if method == "get":
            continue
        for tenant in tenants:
            others = {str(t.organisation.pk) for t in tenants if t is not tenant}
            allowed = [
                c
                for c in everyone
                if c.tenant is tenant
                and case.allows(method, role=c.role, status=status, partner_type=_type(c))
            ]
            first_role = allowed[0].role if allowed else None
            for caller in (c for c in allowed if c.role == first_role):
                fresh = case.make(tenant) if isinstance(case, TenantObject) else None
                url = _path(case, fresh)
                before = snapshot()
                response = _call(caller.client, method, url, case.data.get(method))
                where = (name, status, str(caller), method, "own write")
                assert response.status_code not in REACHED_NOT, (*where, response.status_code)
                assert response.status_code < 500, where
                named = _suppliers(case, caller) | _resellers(case, caller, tenants)
                _shows_no_other_tenant(response, caller, tenants, where, named)
                after = snapshot()
                supplier = _invoiced_supplier(case, caller)
                assert changed(before, after, owners=others - supplier) == [], where
                supplier_rows = changed(before, after, owners=supplier)
                assert [r for r in supplier_rows if not _is_supplier_invoice(r)] == [], where


#: What a two-tier sale writes of the distributor's: the vendor's invoice to it, issued in
#: the sale's transaction (billing.services.invoices), and that issue's audit record.
SUPPLIER_INVOICE_TABLES = frozenset(
    {"billing_invoice", "billing_invoiceline", "billing_invoicedocument", "portal_auditevent"}
)


def _invoiced_supplier(case, caller) -> set[str]:
    distributor_id = caller.tenant.organisation.distributor_id
    if not case.invoices_supplier or distributor_id is None:
        return set()
    return {str(distributor_id)}


def _is_supplier_invoice(row: str) -> bool:
    return row.split("[", 1)[0] in SUPPLIER_INVOICE_TABLES


# --- Public routes --------------------------------------------------------------------


def _public_items():
    return sorted(name for name, case in ROUTES.items() if isinstance(case, Public))


@pytest.mark.django_db
@pytest.mark.parametrize("name", _public_items())
def test_public_route_is_public_and_shows_nothing_private(name, tenants):
    case = ROUTES[name]
    assert case.path, f"{name}: declare path= so that the test can prove it public"
    private = [(tenant, plant_private_data(tenant)) for tenant in tenants]
    viewers = [
        ("anonymous", None, Client()),
        ("alice/token", tenants.alice, token_client(tenants.alice.admin)),
        ("bob/cookie", tenants.bob, cookie_client(tenants.bob.admin)),
    ]
    subjects = [(t, case.make(t)) for t in tenants] if case.make else [(None, {})]
    for subject, params in subjects:
        url = case.path.format(**params)
        for label, viewer, client in viewers:
            where = (name, url, label)
            response = _call(client, case.method, url, case.data)
            assert _outcome(response) == str(case.expect), (*where, _outcome(response))
            body = _body(response)
            if case.shows:
                for tenant in [subject] if subject else tenants:
                    assert case.shows(tenant) in body, (*where, "does not show", tenant)
            leaked = [
                (tenant.organisation.name, kind, value)
                for tenant, kinds in private
                if tenant is not viewer
                for kind, values in kinds.items()
                if not (tenant is subject and kind in case.discloses)
                for value in values
                if value in body
            ]
            assert leaked == [], (*where, "shows private data", leaked)


# --- Grouped prefixes -----------------------------------------------------------------


def _parameterless(prefixes: tuple[str, ...]) -> list[str]:
    return sorted(
        "/" + route
        for route in all_routes().values()
        if route.startswith(prefixes) and "<" not in route and "(?P" not in route
    )


@pytest.mark.django_db
def test_account_routes_show_only_the_callers_own_account(tenants):
    # Given private data in every tenant, and alice's admin logged in both ways
    private = [(tenant, plant_private_data(tenant)) for tenant in tenants]
    alice = tenants.alice
    viewers = [
        ("anonymous", Client()),
        ("alice/cookie", cookie_client(alice.admin)),
        ("alice/token", token_client(alice.admin)),
    ]
    for _, client in viewers:
        client.raise_request_exception = False  # server errors are collected below
    urls = _parameterless(("accounts/", "_allauth/"))
    assert len(urls) > 20  # the walk found allauth's routes
    before = snapshot()
    server_errors = set()
    for url in urls:
        for label, client in viewers:
            # When each page or endpoint is read
            response = client.get(url)
            # Then it works or refuses, and shows no other tenant's data
            if response.status_code >= 500:
                server_errors.add(url)
            body = _body(response)
            leaked = [
                value
                for tenant, kinds in private
                if tenant is not alice or label == "anonymous"
                for values in kinds.values()
                for value in values
                if value in body
            ]
            assert leaked == [], (url, label, leaked)
    # Reading them may touch the caller's own session (allauth keeps flow state there).
    assert [t for t in changed(before, snapshot()) if t != "django_session"] == []
    assert server_errors == set()


@pytest.mark.django_db
@pytest.mark.parametrize("status", STATUSES)
def test_partner_users_cannot_use_the_admin_for_anything(status, tenants):
    # Given bob's members of every role logged in, and alice's organisation and member
    set_status([tenants.bob], status)
    alice = tenants.alice
    urls = [
        "/admin/",
        f"/admin/partners/organisation/{alice.organisation.pk}/change/",
        f"/admin/partners/membership/{alice.membership.pk}/change/",
        f"/admin/partners/organisation/{alice.organisation.pk}/history/",
        "/admin/partners/membership/",
        # The channel team's view of a partner's status and the programme overview.
        f"/admin/pes/status/{alice.organisation.pk}/",
        "/admin/pes/overview/",
    ]
    for role in ("admin", "sales", "technical", "finance"):
        client = cookie_client(member_with_role(tenants.bob, role).user)
        for url in urls:
            # The admin sends non-staff to its login, which allauth's secure_admin_login
            # refuses outright for an authenticated non-staff user.
            response = client.get(url, follow=True)
            assert response.status_code == 403, (role, url)
            assert alice.organisation.name.encode() not in response.content
        before = snapshot()
        response = client.post(
            f"/admin/partners/organisation/{alice.organisation.pk}/delete/", {"post": "yes"}
        )
        assert response.status_code in {302, 403}
        _unchanged(before, (role, "admin delete"))


# --- The API's views ------------------------------------------------------------------


def _api_views() -> dict[str, type]:
    views = {}
    for route, name, pattern in _walk(get_resolver().url_patterns):
        if route.startswith("api/v1/"):
            callback = pattern.callback
            views[name] = getattr(callback, "cls", None) or getattr(callback, "view_class", None)
    return views


def _dotted(cls) -> str:
    return f"{cls.__module__}.{cls.__qualname__}"


def test_every_api_view_is_a_tenant_viewset_or_says_why_not():
    views = _api_views()
    assert views
    assert all(views.values()), views  # every /api/v1/ route is a class-based view
    outside = {_dotted(cls) for cls in views.values() if not issubclass(cls, TenantViewSet)}
    undeclared = sorted(outside - set(OUTSIDE_TENANT_VIEWSET))
    assert undeclared == [], (
        f"neither TenantViewSets nor in tests/routes/api_views.py: {undeclared}"
    )
    stale = sorted(set(OUTSIDE_TENANT_VIEWSET) - outside)
    assert stale == [], f"tests/routes/api_views.py lists views that are not served: {stale}"


_CHECKS = {
    MEMBER: lambda p: isinstance(p, IsPartnerMember),
    STAFF: lambda p: bool(getattr(p, "required_permission", None)),  # StaffPermission(...)
    AUTHENTICATED: lambda p: isinstance(p, IsAuthenticated),
    PUBLIC: lambda p: isinstance(p, AllowAny),
}


def test_each_api_view_checks_the_permission_it_declares():
    # Resolved in the test, not at collection: the URL configuration must be imported
    # with the test settings (DEBUG off), as every other test sees it.
    wrong = []
    for name, cls in sorted(_api_views().items()):
        if issubclass(cls, TenantViewSet):
            kind = MEMBER
        else:
            kind, reason = OUTSIDE_TENANT_VIEWSET[_dotted(cls)]
            assert reason, name
        if not any(_CHECKS[kind](p) for p in cls().get_permissions()):
            wrong.append((name, kind))
    assert wrong == [], f"views without the permission they must check: {wrong}"
