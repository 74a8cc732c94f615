"""Licensing routes: the catalogue and licences (see tests/routes/cases.py for the kinds of
route). The catalogue is programme data: each tenant is put in a programme of its own whose
product names it, so a caller sees its own programme's catalogue and never another's."""

from licensing.models import Licence
from partners import roles
from partners.models import PartnerType
from tests.factories import ProgrammeFactory
from tests.licensing.factories import PlanFactory, ProductFactory, issue_licence
from tests.licensing.factories_activation import live_activation
from tests.routes.cases import OwnData, TenantCollection, TenantObject
from tests.routes.harness import first_name
from tests.tenancy_support import observer


def _licence(tenant) -> Licence:
    return issue_licence(tenant.organisation)


def _own_catalogue(tenant) -> None:
    first = first_name(tenant).lower()
    programme = ProgrammeFactory(code=f"programme-of-{first}", name=f"Programme {first}")
    with observer():
        PartnerType.objects.filter(pk=tenant.organisation.partner_type_id).update(
            programme=programme
        )
    product = ProductFactory(
        programme=programme, code="edition", name=f"{tenant.organisation.name} edition"
    )
    PlanFactory(product=product)


ROUTES: dict[str, object] = {
    "api:products-list": OwnData("/api/v1/products", setup=_own_catalogue),
    "licensing:catalogue": OwnData("/space/catalogue/", setup=_own_catalogue),
    "api:licences-list": TenantCollection("/api/v1/licences", make=_licence),
    "api:licences-detail": TenantObject("/api/v1/licences/{id}", make=_licence),
    "licensing:licences": TenantCollection("/space/licences/", make=_licence),
    "licensing:licence_detail": TenantObject("/space/licences/{id}/", make=_licence),
    # A machine of one of the tenant's licences, released from the licence's page.
    "licensing:licence_machine_release": TenantObject(
        "/space/licences/machines/{id}/release/",
        methods=("post",),
        roles={"post": roles.MANAGE_LICENCES},
        make=lambda tenant: live_activation(tenant.organisation),
    ),
}
