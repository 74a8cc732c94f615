"""Every operation of the OpenAPI schema, fuzzed by schemathesis as each kind of caller.

The schema is the one the portal serves (drf-spectacular), so an endpoint is fuzzed the day
it lands. Each generated request (valid and invalid input, random and real ids) is sent
in-process through the WSGI application as four callers: anonymous, a partner admin and a
partner sales member (session tokens) and the channel team (a staff account that logged
in with TOTP). Every answer must be no server error, a status the operation documents,
and a body in the documented shape.

FUZZ_EXAMPLES sets the examples per operation (default 25); runs are derandomized, so a
failure reproduces; FUZZ_RANDOM=1 explores other examples (Hypothesis prints the seed of
a failure); FUZZ_COVERAGE=1 adds
schemathesis' coverage phase (unbounded; several minutes).
"""

from __future__ import annotations

import json
import os
import threading
from dataclasses import dataclass, field

import pytest
import schemathesis
from allauth.mfa.totp.internal.auth import (
    TOTP,
    format_hotp_value,
    generate_totp_secret,
    hotp_value,
    yield_hotp_counters_from_time,
)
from django.core.cache import cache
from django.core.handlers.wsgi import WSGIHandler
from django.core.management import call_command
from django.core.signals import request_finished, request_started
from django.db import close_old_connections, transaction
from django.test import override_settings
from drf_spectacular.generators import SchemaGenerator
from drf_spectacular.renderers import OpenApiJsonRenderer
from hypothesis import HealthCheck, Phase, settings
from hypothesis import strategies as st
from rest_framework.test import APIClient
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    negative_data_rejection,
    response_schema_conformance,
    status_code_conformance,
)

from partners.models import Membership, PartnerApplication
from partners.services.team import invitation_create
from tests.conftest import make_tenant
from tests.factories import PASSWORD, MembershipFactory, UserFactory
from tests.partners.factories_directory import PartnerProfileFactory
from tests.tenancy_support import OBSERVER, observer, observing_as

# Each test in a transaction of its own (inside the module's, which holds the world).
pytestmark = pytest.mark.django_db

EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "25"))
RANDOM = os.environ.get("FUZZ_RANDOM") == "1"
COVERAGE = os.environ.get("FUZZ_COVERAGE") == "1"
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]
#: Bodies that break the schema must be refused (a 4xx): ``{"country": {}}`` was accepted.
#: Not applied to query strings, where the API ignores unknown parameters and reads an
#: empty ``?page=`` or ``?status=`` as absent, as DRF does.
BODY_CHECKS = [*CHECKS, negative_data_rejection]


@dataclass
class FuzzRun:
    """Who calls, which real ids the generator may use, and what was sent."""

    callers: dict[str, dict[str, str]] = field(default_factory=dict)
    ids: list[str] = field(default_factory=list)
    examples: dict[str, int] = field(default_factory=dict)
    statuses: dict[int, int] = field(default_factory=dict)
    by_caller: dict[tuple[str, int], int] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)


RUN = FuzzRun()


def _login(email: str, secret: str | None = None) -> str:
    client = APIClient()
    response = client.post(
        "/_allauth/app/v1/auth/login", {"email": email, "password": PASSWORD}, format="json"
    )
    token = response.json()["meta"]["session_token"]
    if secret is not None:
        assert response.status_code == 401, response.content  # the second factor is pending
        counter = next(yield_hotp_counters_from_time())
        response = client.post(
            "/_allauth/app/v1/auth/2fa/authenticate",
            {"code": format_hotp_value(hotp_value(secret, counter))},
            format="json",
            HTTP_X_SESSION_TOKEN=token,
        )
        token = response.json()["meta"].get("session_token", token)
    assert response.status_code == 200, response.content
    return token


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker):
    """The callers' world, built once for the module in a transaction rolled back at its
    end: two partners (an admin and a sales member in one), a profile, an open
    invitation, an application, and a channel-team account with TOTP."""
    # Staff need TOTP, as in production (the test settings switch it off for other tests).
    with (
        override_settings(MFA_REQUIRED_FOR_STAFF=True),
        django_db_blocker.unblock(),
        transaction.atomic(),
        observing_as(OBSERVER),
    ):
        yield _build_world()
        transaction.set_rollback(True)


def _build_world() -> FuzzRun:
    for name in ("mattermost", "opennebula", "vates"):
        call_command("load_programme", name, stdout=None)
    alice = make_tenant("Alice Distribution", "distributor", "DE")
    bob = make_tenant("Bob Resellers", "reseller", "FR")
    sales = MembershipFactory(
        organisation=alice.organisation, role=Membership.Role.SALES, user__email="s@alice.example"
    )
    spare = MembershipFactory(organisation=alice.organisation, role=Membership.Role.TECHNICAL)
    staff = UserFactory(email="team@vendor.example", is_staff=True, is_superuser=True)
    secret = generate_totp_secret()
    TOTP.activate(staff, secret)
    with observer():
        PartnerProfileFactory(organisation=alice.organisation)
        invitation = invitation_create(
            organisation=alice.organisation,
            email="new@alice.example",
            role="sales",
            invited_by=alice.admin,
            base_url="http://testserver",
        )
        application = PartnerApplication.objects.create(
            programme=alice.organisation.partner_type.programme,
            partner_type=alice.organisation.partner_type,
            company_name="Applicant AS",
            country="NO",
            website="https://applicant.example",
            years_in_operation=3,
            contact_name="Ada",
            contact_email="ada@applicant.example",
            expectations="Resell.",
        )
    RUN.callers = {
        "anonymous": {},
        "partner admin": {"X-Session-Token": _login(alice.admin.email)},
        "partner sales": {"X-Session-Token": _login(sales.user.email)},
        "channel team": {"X-Session-Token": _login(staff.email, secret)},
    }
    RUN.ids = [
        str(x)
        for x in (
            alice.membership.pk,
            spare.pk,
            bob.membership.pk,
            invitation.pk,
            application.pk,
            alice.organisation.pk,
        )
    ]
    return RUN


@pytest.fixture
def in_process(world):
    # Django's test client does this too: closing "old" connections at the end of each
    # request would close the transaction the world lives in.
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield world
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


def flatmap_path_parameters(context, path_parameters):
    """Half the time, a real id (of the caller's organisation or another's) instead of a
    random one, so that the operations get past their 404s."""
    if not path_parameters or not RUN.ids:
        return st.just(path_parameters)
    names = [n for n in path_parameters if n.endswith("id")]
    real = st.fixed_dictionaries(
        {**{k: st.just(v) for k, v in path_parameters.items()}}
        | {n: st.sampled_from(RUN.ids) for n in names}
    )
    return st.one_of(st.just(path_parameters), real)


def _load_schema():
    """The schema /api/schema/ serves, generated in-process (collection has no database),
    with requests sent to the WSGI application."""
    generator = SchemaGenerator()
    raw = json.loads(OpenApiJsonRenderer().render(generator.get_schema(request=None, public=True)))
    loaded = schemathesis.openapi.from_dict(raw)
    loaded.app = WSGIHandler()
    loaded.hook(flatmap_path_parameters)
    return loaded


schema = _load_schema()


@schema.parametrize()
@settings(
    max_examples=EXAMPLES,
    derandomize=not RANDOM,
    database=None,
    deadline=None,
    # Bounded: max_examples per operation. Phase.explicit would add schemathesis' coverage
    # phase (boundary values, wrong types, unexpected methods), unbounded: ~1,800 cases,
    # 1,000 of them for the application's 250 countries. FUZZ_COVERAGE=1 runs it too.
    phases=([Phase.explicit] if COVERAGE else []) + [Phase.generate, Phase.shrink],
    suppress_health_check=list(HealthCheck),
)
def test_every_operation_as_every_caller(in_process, case):
    label = case.operation.label
    with RUN.lock:
        RUN.examples[label] = RUN.examples.get(label, 0) + 1
    # The public application's rate limit (5 an hour) is tested elsewhere; here it would
    # turn the rest of the run into 429s.
    cache.clear()
    for caller, headers in in_process.callers.items():
        checks = BODY_CHECKS if case.method.upper() in {"POST", "PUT", "PATCH"} else CHECKS
        response = case.call_and_validate(headers=headers, checks=checks)
        with RUN.lock:
            RUN.statuses[response.status_code] = RUN.statuses.get(response.status_code, 0) + 1
            key = (caller, response.status_code)
            RUN.by_caller[key] = RUN.by_caller.get(key, 0) + 1


def test_the_fuzzer_covered_every_operation():
    """Runs after the fuzz tests in this module: each operation was fuzzed, and the count
    is in the test report (-rA shows it)."""
    if not RUN.examples:
        pytest.skip("the fuzz tests did not run in this session (deselected)")
    total = sum(RUN.examples.values())
    calls = sum(RUN.statuses.values())
    print(
        f"\nschemathesis: {len(RUN.examples)} operations, {total} examples, {calls} calls "
        f"as {len(RUN.callers)} callers; statuses {dict(sorted(RUN.statuses.items()))}"
    )
    for caller in RUN.callers:
        seen = {s: n for (c, s), n in sorted(RUN.by_caller.items()) if c == caller}
        print(f"  {caller}: {seen}")
    # Every caller got somewhere (a failed login would leave only 401s and prove nothing).
    for caller in RUN.callers:
        assert any(200 <= s < 300 for (c, s) in RUN.by_caller if c == caller), caller
    operations = {result.ok().label for result in schema.get_all_operations()}
    assert set(RUN.examples) == operations
    assert len(operations) >= 20
