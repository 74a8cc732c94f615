"""Query counts per page stay constant as data grows."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.factories import MembershipFactory, OrganisationFactory

PAGES = ["/space/", "/api/v1/me"]


def _queries(client, path) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(path).status_code == 200
    return len(captured)


@pytest.mark.django_db
@pytest.mark.parametrize("path", PAGES)
def test_query_count_does_not_grow_with_data(tenants, path):
    client = tenants.alice.api() if path.startswith("/api/") else tenants.alice.browser()
    _queries(client, path)  # warm caches (content types, sessions)
    before = _queries(client, path)

    for _ in range(20):
        MembershipFactory(organisation=tenants.alice.organisation)
        MembershipFactory(organisation=OrganisationFactory())

    assert _queries(client, path) == before
