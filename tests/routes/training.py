from partners import roles
from tests.partners.factories_training import SalesTrainingFactory, TechnicalCertificationFactory
from tests.routes.cases import OwnData, TenantCollection

_ADMINS = {"get": frozenset({roles.ADMIN})}  # the views name the role itself

ROUTES: dict[str, object] = {
    "api:training-sales-list": TenantCollection(
        "/api/v1/training/sales",
        make=lambda tenant: SalesTrainingFactory(membership=tenant.membership),
        roles=_ADMINS,
    ),
    "api:training-certifications-list": TenantCollection(
        "/api/v1/training/certifications",
        make=lambda tenant: TechnicalCertificationFactory(membership=tenant.membership),
        roles=_ADMINS,
    ),
    "api:training-summary": OwnData("/api/v1/training/summary", roles=_ADMINS),
    "partners:training": OwnData("/space/training/", roles=_ADMINS),
}
