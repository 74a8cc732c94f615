"""Contact requests: what visitors wrote to a partner through the locator (page and API)."""

from partners import roles
from tests.partners.factories_contact import ContactRequestFactory
from tests.routes.cases import OwnData, TenantCollection
from tests.routes.harness import first_name


def _contact_request(tenant):
    return ContactRequestFactory(
        organisation=tenant.organisation,
        name=f"{first_name(tenant)} Visitor",
        company=f"{tenant.organisation.pk} prospect",  # a leak would show another's id
    )


ROUTES: dict[str, object] = {
    "api:contact-requests-list": TenantCollection(
        "/api/v1/contact-requests",
        make=_contact_request,
        roles={"get": roles.VIEW_CONTACT_REQUESTS},
    ),
    "partners:contact_requests": OwnData(
        "/space/requests/",
        methods=("get", "post"),
        setup=_contact_request,
        roles={"get": roles.VIEW_CONTACT_REQUESTS, "post": roles.VIEW_CONTACT_REQUESTS},
    ),
}
