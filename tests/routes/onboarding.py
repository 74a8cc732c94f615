from tests.partners.factories_onboarding import AgreementFactory
from tests.routes.cases import OwnData, Public, StaffOnly, TenantObject


def _agreement(tenant):
    return AgreementFactory(organisation=tenant.organisation)


_STAFF = "/api/v1/staff/applications"

ROUTES = {
    "api:applications": Public("the public application form: tests/partners/test_applications.py"),
    "api:staff-applications-list": StaffOnly(_STAFF, methods=("get",)),
    "api:staff-applications-detail": StaffOnly(_STAFF + "/{id}", methods=("get",)),
    "api:staff-applications-approve": StaffOnly(_STAFF + "/{id}/approve", methods=("post",)),
    "api:staff-applications-reject": StaffOnly(_STAFF + "/{id}/reject", methods=("post",)),
    "api:staff-applications-request-info": StaffOnly(
        _STAFF + "/{id}/request-info", methods=("post",)
    ),
    "api:agreement": OwnData("/api/v1/agreement", setup=_agreement),
    "api:agreement-sign": Public(
        "acts only on the caller's own agreement: tests/partners/test_agreement.py"
    ),
    "partners:agreement": OwnData("/space/agreement/", setup=_agreement),
    "partners:agreement_document": TenantObject(
        "/space/agreement/{id}/agreement.pdf", make=_agreement
    ),
}
