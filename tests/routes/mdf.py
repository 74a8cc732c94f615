"""Marketing development funds: the page and its claim form, the API's summary, requests
and claims (see tests/routes/cases.py for the kinds of route). A budget and its requests
are their organisation's alone (a distributor never reads its resellers'); administrators
and sales people only. Each tenant is made eligible (its type gives funds from tier 1)
and given a budget whose request names it."""

from __future__ import annotations

from billing.models import MdfBudget, MdfRequest
from billing.services.mdf import mdf_request_decide
from partners import roles
from tests.billing.mdf_support import budget_for, request_body, reviewer, submitted
from tests.factories import TierFactory
from tests.routes.cases import TenantCollection, TenantObject
from tests.routes.harness import first_name
from tests.tenancy_support import observer


def _eligible(tenant) -> None:
    organisation = tenant.organisation
    with observer():
        partner_type = organisation.partner_type
        if partner_type.mdf_from_tier != 1:
            partner_type.mdf_from_tier = 1
            partner_type.save(update_fields=["mdf_from_tier"])
        if organisation.tier_id is None:
            organisation.tier = TierFactory(partner_type=partner_type, level=1)
            organisation.save(update_fields=["tier"])


def _request(tenant) -> MdfRequest:
    """A request in review (a leak would show its activity, which names the tenant)."""
    _eligible(tenant)
    with observer():
        if not MdfBudget.objects.filter(organisation=tenant.organisation).exists():
            budget_for(tenant.organisation, "100000.00")
    request = submitted(tenant, "10.00")
    with observer():
        request.activity = f"{first_name(tenant)} event {tenant.organisation.pk}"
        request.save(update_fields=["activity"])
    return request


def _approved(tenant) -> MdfRequest:
    request = _request(tenant)
    with observer():
        return mdf_request_decide(actor=reviewer(), request=request, approve=True)


_MDF = {"get": roles.MANAGE_MDF, "post": roles.MANAGE_MDF}

ROUTES: dict[str, object] = {
    "billing:mdf": TenantCollection(
        "/space/mdf/",
        make=_request,
        methods=("get", "post"),
        roles=_MDF,
        data={"post": request_body("10.00")},
    ),
    "billing:mdf-claim": TenantObject(
        "/space/mdf/requests/{id}/claim/",
        make=_approved,
        methods=("get", "post"),
        roles=_MDF,
        data={"post": {"amount": "5.00"}},
    ),
    "api:mdf": TenantCollection("/api/v1/mdf", make=_request, roles=_MDF),
    "api:mdf-requests": TenantCollection(
        "/api/v1/mdf/requests",
        make=_request,
        methods=("get", "post"),
        roles=_MDF,
        data={"post": request_body("10.00")},
    ),
    "api:mdf-claim": TenantObject(
        "/api/v1/mdf/requests/{id}/claim",
        make=_approved,
        methods=("post",),
        roles={"post": roles.MANAGE_MDF},
        data={"post": {"amount": "5.00"}},
    ),
}
