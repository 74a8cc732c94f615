from partners import roles
from partners.models import PartnerApplication
from partners.services.applications import reply_token
from tests.partners.factories_onboarding import AgreementFactory, PartnerApplicationFactory
from tests.routes.cases import (
    SIGNING,
    OwnData,
    Public,
    StaffOnly,
    TenantCollection,
    TenantObject,
)


def _agreement(tenant):
    return AgreementFactory(organisation=tenant.organisation)


def _reply_link(tenant) -> dict:
    application = PartnerApplicationFactory(
        status=PartnerApplication.Status.INFO_REQUESTED,
        info_request="Which regions?",
        reply_nonce=tenant.organisation.pk.hex,  # any value: the link carries it
    )
    return {"token": reply_token(application)}


_STAFF = "/api/v1/staff/applications"
_ADMIN = frozenset({roles.ADMIN})
_APPLY = "the public application form: tests/partners/test_applications.py"

ROUTES = {
    "api:applications": Public(
        _APPLY, path="/api/v1/applications", method="post", data={}, expect=400
    ),
    "partners:apply": Public(_APPLY, path="/apply/"),
    "partners:apply_thanks": Public("the thank-you page after applying", path="/apply/thanks/"),
    "partners:application_reply": Public(
        "the applicant's answer through its signed link (no tenant yet)",
        path="/apply/reply/{token}/",
        make=_reply_link,
    ),
    "api:staff-applications-list": StaffOnly(_STAFF, methods=("get",)),
    "api:staff-applications-detail": StaffOnly(_STAFF + "/{id}", methods=("get",)),
    "api:staff-applications-approve": StaffOnly(_STAFF + "/{id}/approve", methods=("post",)),
    "api:staff-applications-reject": StaffOnly(_STAFF + "/{id}/reject", methods=("post",)),
    "api:staff-applications-request-info": StaffOnly(
        _STAFF + "/{id}/request-info", methods=("post",)
    ),
    "api:agreement": OwnData("/api/v1/agreement", setup=_agreement, statuses=SIGNING),
    # Signing writes the caller's own organisation's agreement (and opens its space):
    # administrators of a pending (or active) organisation only.
    "api:agreement-sign": OwnData(
        "/api/v1/agreement/sign",
        setup=_agreement,
        methods=("post",),
        roles={"post": _ADMIN},
        statuses=SIGNING,
        data={"post": {"name": "Ada Admin", "accept": True}},
    ),
    "partners:agreement": OwnData(
        "/space/agreement/",
        setup=_agreement,
        methods=("get", "post"),
        roles={"post": _ADMIN},
        statuses=SIGNING,
        data={"post": {"name": "Ada Admin", "accept": "on"}},
    ),
    # Every signed document stays downloadable (any member; pending organisations see
    # theirs too, before signing).
    "partners:documents": TenantCollection("/space/documents/", make=_agreement, statuses=SIGNING),
    "partners:agreement_document": TenantObject(
        "/space/agreement/{id}/agreement.pdf", make=_agreement, statuses=SIGNING
    ),
}
