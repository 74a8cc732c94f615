"""The channel team acts with Django permissions (issue 6 §5): every staff API route and
every staff service names one; being staff is not enough; the groups for the typical roles
exist everywhere and are kept in step with code."""

from __future__ import annotations

import re

import pytest
from django.contrib.auth.models import Group, Permission
from django.core import mail
from django.core.exceptions import ImproperlyConfigured
from django.core.management import call_command
from django.urls import URLPattern, URLResolver, get_resolver
from django.utils import timezone
from rest_framework.test import APIClient

from billing.models import TaxRate
from billing.services.tax_rates import tax_rate_set
from partners.models import (
    Agreement,
    Invitation,
    Membership,
    Organisation,
    PartnerApplication,
    PartnerProfile,
    SalesTraining,
    TechnicalCertification,
)
from partners.services.agreements import agreement_retry_documents
from partners.services.applications import (
    application_approve,
    application_reject,
    application_request_info,
)
from partners.services.organisations import organisation_update
from partners.services.profile import profile_update
from partners.services.team import (
    invitation_create,
    invitation_revoke,
    membership_change_role,
    membership_remove,
)
from partners.services.training import certification_record, sales_training_record
from partners.staff_roles import PERMISSIONS as PARTNERS_ROLES
from portal.errors import Forbidden
from portal.staff_groups import (
    CHANNEL_FINANCE,
    CHANNEL_REVIEWER,
    PROGRAMME_MANAGER,
    staff_groups_sync,
    staff_roles,
)
from tests.factories import PASSWORD, UserFactory, staff_user
from tests.partners.factories_onboarding import AgreementFactory, PartnerApplicationFactory
from tests.partners.factories_team import InvitationFactory, member_of
from tests.tenancy_support import observer

ALL = (
    Organisation,
    Membership,
    Invitation,
    PartnerProfile,
    Agreement,
    PartnerApplication,
    SalesTraining,
    TechnicalCertification,
    TaxRate,
)


def rows() -> dict:
    with observer():
        return {
            model.__name__: sorted(model.objects.values_list(), key=lambda row: str(row[0]))
            for model in ALL
        }


def token_client(user) -> APIClient:
    """Logged in as apps do (allauth headless session token)."""
    client = APIClient()
    response = client.post(
        "/_allauth/app/v1/auth/login",
        {"email": user.email, "password": PASSWORD},
        format="json",
    )
    assert response.status_code == 200, response.content
    client.credentials(HTTP_X_SESSION_TOKEN=response.json()["meta"]["session_token"])
    return client


# --- the staff API ---------------------------------------------------------------------------


def _walk(patterns, prefix=""):
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            yield from _walk(pattern.url_patterns, prefix + str(pattern.pattern))
        elif isinstance(pattern, URLPattern):
            yield prefix + str(pattern.pattern), pattern.callback


def staff_routes() -> list[tuple[str, object]]:
    return [
        (route, callback)
        for route, callback in _walk(get_resolver().url_patterns)
        if route.startswith("api/v1/staff/")
    ]


def test_every_staff_api_route_requires_a_named_permission():
    routes = staff_routes()
    assert routes, "no staff routes found: the walk is broken"
    for route, callback in routes:
        view = callback.view_class
        required = [getattr(p, "required_permission", None) for p in view.permission_classes]
        assert any(required), f"{route} checks no Django permission: use StaffPermission"


@pytest.mark.django_db
def test_staff_without_permissions_are_refused_on_every_staff_route_and_nothing_changes():
    application = PartnerApplicationFactory()
    client = token_client(staff_user())
    before = rows()

    for route, callback in staff_routes():
        # Any object id: the permission is checked before the object is looked up.
        url = "/" + re.sub(r"<uuid:\w+>", str(application.pk), route)
        assert "<" not in url, f"fill in the parameters of {route}"
        for method in ("get", "post"):
            if method not in callback.view_class.http_method_names or not hasattr(
                callback.view_class, method
            ):
                continue
            body = {"reason": "No.", "message": "Tell us more."}
            response = getattr(client, method)(url, body, format="json")
            assert response.status_code == 403, (route, method, response.content)

    assert rows() == before
    assert mail.outbox == []


@pytest.mark.django_db
@pytest.mark.parametrize("via", ["token", "session"])
def test_a_reader_lists_applications_but_cannot_decide(via):
    application = PartnerApplicationFactory()
    reader = staff_user("partners.view_partnerapplication")
    if via == "token":
        client = token_client(reader)
    else:
        client = APIClient()
        client.force_login(reader)
    before = rows()

    listed = client.get("/api/v1/staff/applications")
    base = f"/api/v1/staff/applications/{application.pk}"
    refused = [
        client.post(f"{base}/approve", {}, format="json"),
        client.post(f"{base}/reject", {"reason": "No."}, format="json"),
        client.post(f"{base}/request-info", {"message": "More?"}, format="json"),
    ]

    assert listed.status_code == 200
    assert [r.status_code for r in refused] == [403, 403, 403]
    assert refused[0].json()["code"] == "permission_denied"
    assert rows() == before
    assert mail.outbox == []


@pytest.mark.django_db
def test_a_reviewer_decides_through_the_api():
    application = PartnerApplicationFactory()
    client = token_client(
        staff_user("partners.view_partnerapplication", "partners.review_application")
    )

    response = client.post(
        f"/api/v1/staff/applications/{application.pk}/reject", {"reason": "No."}, format="json"
    )

    assert response.status_code == 200, response.content
    assert response.json()["status"] == "rejected"


@pytest.mark.django_db
def test_a_superuser_passes_every_check():
    application = PartnerApplicationFactory()
    client = token_client(UserFactory(is_staff=True, is_superuser=True))
    response = client.post(
        f"/api/v1/staff/applications/{application.pk}/request-info",
        {"message": "Which customers?"},
        format="json",
    )
    assert response.status_code == 200, response.content


# --- the services refuse whoever calls them --------------------------------------------------


def _service_calls(tenants):
    """Each staff-facing service, called as a given actor."""
    alice = tenants.alice
    application = PartnerApplicationFactory()
    agreement = AgreementFactory(
        organisation=alice.organisation, pdf_status=Agreement.PdfStatus.FAILED
    )
    member = member_of(alice)
    invitation = InvitationFactory(organisation=alice.organisation)
    return {
        "partners.review_application": [
            lambda actor: application_approve(application=application, actor=actor),
            lambda actor: application_reject(application=application, actor=actor, reason="x"),
            lambda actor: application_request_info(
                application=application, actor=actor, message="x"
            ),
        ],
        "partners.record_training": [
            lambda actor: sales_training_record(
                actor=actor,
                organisation=alice.organisation,
                membership=alice.membership,
                attended_on=timezone.localdate(),
            )
        ],
        "partners.record_certification": [
            lambda actor: certification_record(
                actor=actor,
                organisation=alice.organisation,
                membership=alice.membership,
                name="Engineer",
                obtained_on=timezone.localdate(),
            )
        ],
        "partners.retry_agreement_documents": [
            lambda actor: agreement_retry_documents(agreement=agreement, actor=actor)
        ],
        "partners.change_organisation": [
            lambda actor: organisation_update(
                organisation=alice.organisation, changes={"name": "Renamed"}, actor=actor
            )
        ],
        "partners.change_partnerprofile": [
            lambda actor: profile_update(
                organisation=alice.organisation, actor=actor, data={"city": "Bonn"}
            )
        ],
        "partners.add_invitation": [
            lambda actor: invitation_create(
                organisation=alice.organisation,
                email="new@example.com",
                role="sales",
                invited_by=actor,
            )
        ],
        "partners.change_invitation": [
            lambda actor: invitation_revoke(invitation=invitation, actor=actor)
        ],
        "partners.change_membership": [
            lambda actor: membership_change_role(membership=member, role="finance", actor=actor)
        ],
        "partners.delete_membership": [
            lambda actor: membership_remove(membership=member, actor=actor)
        ],
        "billing.change_taxrate": [
            lambda actor: tax_rate_set(country="FR", rate="19.60", actor=actor),
            lambda actor: tax_rate_set(country="US", rate="5", actor=actor),
        ],
    }


@pytest.mark.django_db
def test_each_staff_service_refuses_staff_without_its_permission(tenants):
    calls = _service_calls(tenants)
    # Every other permission, but not the one the service needs.
    for permission, services in calls.items():
        others = [p for p in calls if p != permission]
        actor = staff_user(*others)
        before = rows()
        for service in services:
            with observer(), pytest.raises(Forbidden):
                service(actor)
        assert rows() == before, permission
    assert mail.outbox == []


@pytest.mark.django_db
def test_a_partner_account_given_a_permission_is_still_not_the_channel_team(tenants):
    application = PartnerApplicationFactory()
    partner = tenants.alice.admin
    partner.user_permissions.add(Permission.objects.get(codename="review_application"))
    with observer(), pytest.raises(Forbidden):
        application_reject(application=application, actor=partner, reason="x")


# --- groups ----------------------------------------------------------------------------------


def _group_permissions() -> dict[str, set[str]]:
    return {
        group.name: {
            f"{p.content_type.app_label}.{p.codename}"
            for p in group.permissions.select_related("content_type")
        }
        for group in Group.objects.prefetch_related("permissions")
    }


@pytest.mark.django_db
def test_the_migrated_database_has_the_groups_as_the_code_defines_them():
    # The groups come from a data migration: a change of partners/staff_roles.py needs a
    # new migration that syncs them again, or this fails.
    groups = _group_permissions()
    for name in (CHANNEL_REVIEWER, CHANNEL_FINANCE, PROGRAMME_MANAGER):
        wanted = {p for roles in staff_roles().values() for p in roles.get(name, ())}
        assert groups[name] == wanted, name


@pytest.mark.django_db
def test_syncing_the_groups_is_idempotent_and_keeps_other_apps_permissions():
    Group.objects.all().delete()
    first = staff_groups_sync()
    assert sorted(first.created_groups) == sorted(PARTNERS_ROLES)
    # A permission of another app, given by hand, stays; a stale partners one goes.
    finance = Group.objects.get(name=CHANNEL_FINANCE)
    foreign = Permission.objects.get(codename="view_group")  # auth names no staff roles
    stale = Permission.objects.get(codename="delete_organisation")
    finance.permissions.add(foreign, stale)

    second = staff_groups_sync()
    third = staff_groups_sync()

    assert (second.added, second.removed, second.created_groups) == (0, 1, [])
    assert not third.changed
    held = _group_permissions()[CHANNEL_FINANCE]
    assert "auth.view_group" in held
    assert "partners.delete_organisation" not in held


@pytest.mark.django_db
def test_an_app_may_name_only_permissions_it_has():
    with pytest.raises(ImproperlyConfigured):
        staff_groups_sync(roles={"partners": {CHANNEL_FINANCE: {"partners.fly_to_the_moon"}}})
    with pytest.raises(ImproperlyConfigured):
        staff_groups_sync(roles={"partners": {CHANNEL_FINANCE: {"portal.view_user"}}})


@pytest.mark.django_db
def test_the_roles_nest_as_documented():
    reviewer = PARTNERS_ROLES[CHANNEL_REVIEWER]
    manager = PARTNERS_ROLES[PROGRAMME_MANAGER]
    finance = PARTNERS_ROLES[CHANNEL_FINANCE]
    assert reviewer < manager
    assert "partners.review_application" in reviewer
    assert {"partners.change_tier", "partners.change_discountrule"} <= manager
    assert {"partners.change_embargoedterritory", "partners.change_partnertype"} <= manager
    assert all(p.split(".")[1].startswith("view_") for p in finance)


@pytest.mark.django_db
def test_the_command_creates_the_groups(capsys):
    Group.objects.all().delete()
    call_command("sync_staff_groups")
    call_command("sync_staff_groups")
    out = capsys.readouterr().out
    assert "3 created" in out
    assert "already up to date" in out
    assert set(Group.objects.values_list("name", flat=True)) == set(PARTNERS_ROLES)
