from tests.partners.factories_training import SalesTrainingFactory, TechnicalCertificationFactory
from tests.routes.cases import OwnData, TenantCollection

ROUTES: dict[str, object] = {
    "api:training-sales-list": TenantCollection(
        "/api/v1/training/sales",
        make=lambda tenant: SalesTrainingFactory(membership=tenant.membership),
    ),
    "api:training-certifications-list": TenantCollection(
        "/api/v1/training/certifications",
        make=lambda tenant: TechnicalCertificationFactory(membership=tenant.membership),
    ),
    "api:training-summary": OwnData("/api/v1/training/summary"),
    "partners:training": OwnData("/space/training/"),
}
