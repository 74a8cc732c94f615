"""Licensing routes: binding a licence to its end customer (API and page) and the
customer's pages (redemption and seats; see tests/routes/cases.py for the kinds)."""

from licensing.selectors.links import link_token
from partners import roles
from tests.licensing.factories import issue_licence
from tests.licensing.factories_links import bound_licence, seats_link
from tests.routes.cases import Public, TenantObject
from tests.routes.harness import LEGAL_NAME


def _licence(tenant):
    """An unbound licence of the tenant, sold through its distributor when it has one
    (that distributor reads it, yet may not bind it: 404 like any other tenant)."""
    organisation = tenant.organisation
    return issue_licence(organisation, distributor=organisation.distributor)


def _bound(tenant):
    organisation = tenant.organisation
    return bound_licence(organisation, distributor=organisation.distributor)[0]


def _redemption_link(tenant) -> dict:
    return {"token": link_token(bound_licence(tenant.organisation)[1])}


def _seats_link(tenant) -> dict:
    return {"token": link_token(seats_link(tenant.organisation))}


_BIND = {"email": "new.customer@elsewhere.example"}
_CUSTOMER = (
    "the end customer's emailed link (no account): its signed token is the credential "
    "(tests/licensing/test_redemption.py)"
)

ROUTES: dict[str, object] = {
    "api:licences-bind": TenantObject(
        "/api/v1/licences/{id}/bind",
        make=_licence,
        methods=("post",),
        roles={"post": roles.MANAGE_LICENCES},
        data={"post": _BIND},
    ),
    "api:licences-resend": TenantObject(
        "/api/v1/licences/{id}/resend",
        make=_bound,
        methods=("post",),
        roles={"post": roles.MANAGE_LICENCES},
    ),
    "licensing:licence_bind": TenantObject(
        "/space/licences/{id}/bind/",
        make=_licence,
        methods=("get", "post"),
        roles={"get": roles.MANAGE_LICENCES, "post": roles.MANAGE_LICENCES},
        data={"post": {"action": "bind", **_BIND}},
        supplier_reads=False,  # the distributor reads the licence, never its bind form
    ),
    # The page names the partner that sold the licence (its legal name).
    "licensing:redeem": Public(
        _CUSTOMER,
        path="/licence/redeem/{token}/",
        make=_redemption_link,
        discloses=frozenset({LEGAL_NAME}),
    ),
    "licensing:seats": Public(
        _CUSTOMER,
        path="/licence/seats/{token}/",
        make=_seats_link,
        discloses=frozenset({LEGAL_NAME}),
    ),
}
