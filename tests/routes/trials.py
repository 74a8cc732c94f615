"""Licensing routes: trials / PoCs, NFR and evaluation licences (API and pages), and the
channel team's review of trial extensions and evaluation licences (see
tests/routes/cases.py for the kinds of route)."""

import datetime

from django.utils import timezone

from partners import roles
from tests.licensing.factories import ProductFactory, issue_licence
from tests.licensing.factories_trials import evaluation_request, issue_trial
from tests.routes.cases import OwnData, StaffOnly, TenantCollection, TenantObject


def _trial(tenant):
    return issue_trial(tenant, prospect_name=f"{tenant.organisation.pk} prospect")


def _evaluation_request(tenant):
    return evaluation_request(tenant.organisation)


def _nfr_licence(tenant):
    organisation = tenant.organisation
    product = ProductFactory(programme=organisation.partner_type.programme)
    issue_licence(organisation, product=product, kind="nfr", customer_name=organisation.name)


def _in(days: int) -> str:
    return (timezone.localdate() + datetime.timedelta(days=days)).isoformat()


_TRIAL_REQUEST = {"product": "pro", "quantity": 3, "prospect_name": "Prospect AG"}

ROUTES: dict[str, object] = {
    # API: trials
    "api:trials-list": TenantCollection(
        "/api/v1/trials",
        make=_trial,
        methods=("get", "post"),
        roles={"post": roles.MANAGE_LICENCES},
        data={"post": _TRIAL_REQUEST},
    ),
    "api:trials-detail": TenantObject("/api/v1/trials/{id}", make=_trial),
    "api:trials-extend": TenantObject(
        "/api/v1/trials/{id}/extend",
        make=_trial,
        methods=("post",),
        roles={"post": roles.MANAGE_LICENCES},
        data={"post": {"ends_on": _in(45)}},
    ),
    "api:trials-extension-requests": TenantObject(
        "/api/v1/trials/{id}/extension-requests",
        make=_trial,
        methods=("post",),
        roles={"post": roles.MANAGE_LICENCES},
        data={"post": {"ends_on": _in(120), "project_details": "A long migration."}},
    ),
    # API: NFR and evaluation licences
    "api:licences-nfr": OwnData(
        "/api/v1/licences/nfr",
        methods=("get", "post"),
        setup=_nfr_licence,
        roles={"post": roles.MANAGE_LICENCES},
        data={"post": {"product": "pro", "quantity": 3}},
    ),
    "api:evaluation-licences-list": TenantCollection(
        "/api/v1/evaluation-licences",
        make=_evaluation_request,
        methods=("get", "post"),
        roles={"post": roles.MANAGE_LICENCES},
        data={"post": {"users": 10, "purpose": "Demonstrations."}},
    ),
    "api:evaluation-licences-detail": TenantObject(
        "/api/v1/evaluation-licences/{id}", make=_evaluation_request
    ),
    # API: the channel team
    "api:staff-trial-extensions-list": StaffOnly("/api/v1/staff/trial-extensions", ("get",)),
    "api:staff-trial-extensions-approve": StaffOnly(
        "/api/v1/staff/trial-extensions/{id}/approve", ("post",)
    ),
    "api:staff-trial-extensions-reject": StaffOnly(
        "/api/v1/staff/trial-extensions/{id}/reject", ("post",)
    ),
    "api:staff-evaluation-licences-list": StaffOnly("/api/v1/staff/evaluation-licences", ("get",)),
    "api:staff-evaluation-licences-approve": StaffOnly(
        "/api/v1/staff/evaluation-licences/{id}/approve", ("post",)
    ),
    "api:staff-evaluation-licences-reject": StaffOnly(
        "/api/v1/staff/evaluation-licences/{id}/reject", ("post",)
    ),
    # Pages
    "licensing:trials": TenantCollection(
        "/space/trials/",
        make=_trial,
        methods=("get", "post"),
        roles={"post": roles.MANAGE_LICENCES},
        data={"post": _TRIAL_REQUEST},
    ),
    "licensing:trial_detail": TenantObject(
        "/space/trials/{id}/",
        make=_trial,
        methods=("get", "post"),
        roles={"post": roles.MANAGE_LICENCES},
        data={"post": {"action": "extend", "ends_on": _in(45)}},
    ),
    "licensing:nfr": OwnData(
        "/space/nfr/",
        methods=("get", "post"),
        roles={"post": roles.MANAGE_LICENCES},
        data={"post": {"product": "pro", "quantity": 3}},
    ),
    "licensing:evaluation": OwnData(
        "/space/evaluation/",
        methods=("get", "post"),
        roles={"post": roles.MANAGE_LICENCES},
        data={"post": {"users": 10, "purpose": "Demonstrations."}},
    ),
}
