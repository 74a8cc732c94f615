"""Query counts stay constant as data grows, on every list route.

``test_every_list_route_is_declared`` walks the URL configuration: every route of our apps
without path parameters, every API list action and every admin changelist of our apps
(third-party admins such as allauth's or Celery beat's are not ours to fix) must be in
tests/routes/lists.py. ``test_list_query_count_does_not_grow`` then fills each list with 2
and with 12 rows and fails when the second request runs more queries than the first (an
N+1 loop: a query per row), or when a page shows a list without a paginator;
``test_api_lists_are_paginated`` checks every API list view has a paginator.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from django.apps import apps
from django.conf import settings
from django.contrib import admin
from django.core.paginator import Page
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from rest_framework.mixins import ListModelMixin

from tests.factories import MembershipFactory, OrganisationFactory, UserFactory
from tests.routes.lists import ANONYMOUS, LISTS, STAFF, ListRoute, NotAList

SMALL, LARGE = 2, 12
THIRD_PARTY_PREFIXES = ("accounts/", "_allauth/", "api/schema/", "api/docs/", "media/")


def _walk(patterns, prefix: str = "", namespace: str = "") -> Iterator[tuple[str, str, object]]:
    for pattern in patterns:
        route = prefix + str(pattern.pattern)
        if isinstance(pattern, URLResolver):
            ns = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
            yield from _walk(pattern.url_patterns, route, ns)
        elif isinstance(pattern, URLPattern):
            name = f"{namespace}{pattern.name}" if pattern.name else route
            yield route.lstrip("^"), name, pattern


def _our_apps() -> list:
    # The project's own apps: under the checkout, and not installed packages (a virtualenv
    # inside the checkout is under it too).
    base = Path(settings.BASE_DIR).resolve()
    return [
        c
        for c in apps.get_app_configs()
        if Path(c.path).resolve().is_relative_to(base) and "site-packages" not in Path(c.path).parts
    ]


def _our_admin_changelists() -> set[str]:
    labels = {config.label for config in _our_apps()}
    return {
        f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist"
        for model in admin.site._registry
        if model._meta.app_label in labels
    }


def _is_api_list(pattern) -> bool:
    view_class = getattr(pattern.callback, "cls", None) or getattr(
        pattern.callback, "view_class", None
    )
    if view_class is None or not issubclass(view_class, ListModelMixin):
        return False
    actions = getattr(pattern.callback, "actions", None)
    return actions is None or "list" in actions.values()


def _list_routes() -> dict[str, object]:
    """name -> URL pattern, for every route that must be declared in LISTS."""
    ours = tuple(f"{config.name}." for config in _our_apps())
    changelists = _our_admin_changelists()
    found = {}
    for route, name, pattern in _walk(get_resolver().url_patterns):
        if route.startswith(THIRD_PARTY_PREFIXES):
            continue
        if name.startswith("admin:"):
            if name in changelists:
                found[name] = pattern
            continue
        has_parameters = pattern.pattern.regex.groups > 0
        if _is_api_list(pattern) or (
            not has_parameters and pattern.callback.__module__.startswith(ours)
        ):
            found[name] = pattern
    return found


def test_every_list_route_is_declared():
    routes = _list_routes()
    missing = sorted(set(routes) - set(LISTS))
    assert missing == [], f"routes missing from tests/routes/lists.py: {missing}"
    stale = sorted(set(LISTS) - set(routes))
    assert stale == [], f"tests/routes/lists.py names routes that do not exist: {stale}"
    mislabelled = sorted(
        name
        for name, pattern in routes.items()
        if _is_api_list(pattern) and isinstance(LISTS[name], NotAList)
    )
    assert mislabelled == [], f"API list actions declared NotAList: {mislabelled}"


def test_api_lists_are_paginated():
    for name, pattern in _list_routes().items():
        if _is_api_list(pattern):
            view_class = getattr(pattern.callback, "cls", None) or pattern.callback.view_class
            assert view_class.pagination_class is not None, name


# --- the counts ------------------------------------------------------------------------

LIST_ROUTES = sorted(name for name, case in LISTS.items() if isinstance(case, ListRoute))


def _client(case: ListRoute, tenant, path: str):
    if case.caller == ANONYMOUS:
        return Client()
    if case.caller == STAFF:
        client = Client()
        client.force_login(UserFactory(is_staff=True, is_superuser=True))
        return client
    return tenant.api() if path.startswith("/api/") else tenant.browser()


def _get(client, path: str):
    with CaptureQueriesContext(connection) as captured:
        response = client.get(path)
    assert response.status_code == 200, (path, response.status_code)
    return response, [q["sql"] for q in captured]


def _pages_in(response) -> list[Page]:
    if response.context is None:
        return []
    return [
        value
        for layer in response.context
        for value in layer.flatten().values()
        if isinstance(value, Page)
    ]


def _fill(case: ListRoute, tenant, rows: int) -> None:
    for _ in range(rows):
        case.make(tenant)


@pytest.mark.django_db
@pytest.mark.parametrize("name", LIST_ROUTES)
def test_list_query_count_does_not_grow(name, tenants):
    # Given a list with a few rows, and a caller who has looked at it once (sessions,
    # content types and other per-process caches are warm)
    case = LISTS[name]
    path = reverse(name) + case.query
    tenant = tenants.alice
    client = _client(case, tenant, path)
    _fill(case, tenant, SMALL)
    _get(client, path)
    _, small = _get(client, path)

    # When the list holds six times as many rows
    _fill(case, tenant, LARGE - SMALL)
    response, large = _get(client, path)

    # Then it costs the same number of queries
    print(f"queries {name}: {len(small)} for {SMALL} rows, {len(large)} for {LARGE}")
    extra = "\n".join(large[len(small) :]) if len(large) > len(small) else ""
    assert len(large) == len(small), (
        f"{name}: {len(small)} queries for {SMALL} rows, {len(large)} for {LARGE}\n{extra}"
    )
    if not path.startswith(("/api/", "/admin/")):
        # Pages paginate each list they show (admin changelists and the API always do).
        assert _pages_in(response), f"{name} shows a list without a paginator"


@pytest.mark.django_db
@pytest.mark.parametrize("path", ["/space/", "/api/v1/me"])
def test_query_count_of_own_pages_does_not_grow_with_data(tenants, path):
    client = tenants.alice.api() if path.startswith("/api/") else tenants.alice.browser()
    _get(client, path)  # warm caches (content types, sessions)
    _, before = _get(client, path)

    for _ in range(20):
        MembershipFactory(organisation=tenants.alice.organisation)
        MembershipFactory(organisation=OrganisationFactory())

    _, after = _get(client, path)
    assert len(after) == len(before)
