"""The caller's own profile, and the public locator (pages and API)."""

from partners import roles
from tests.partners.factories_directory import give_logo
from tests.routes.cases import OwnData, Public
from tests.routes.harness import public_name, public_profile

_LOCATOR = "the public partner locator: listed profiles only (tests/partners/test_directory.py)"


def _listed(tenant) -> dict:
    return {"id": public_profile(tenant).organisation_id}


def _listed_with_logo(tenant) -> dict:
    give_logo(public_profile(tenant))
    return _listed(tenant)


ROUTES: dict[str, object] = {
    "api:profile": OwnData(
        "/api/v1/profile",
        methods=("get", "patch"),
        roles={"patch": roles.EDIT_PROFILE},
        data={"patch": {"city": "Elsewhere"}},
    ),
    "partners:profile": OwnData(
        "/space/profile/", methods=("get", "post"), roles={"post": roles.EDIT_PROFILE}
    ),
    "api:directory-list": Public(_LOCATOR, path="/api/v1/directory", shows=public_name),
    "api:directory-detail": Public(
        _LOCATOR, path="/api/v1/directory/{id}", make=_listed, shows=public_name
    ),
    "partners:locator": Public(_LOCATOR, path="/partners/", shows=public_name),
    "partners:partner_detail": Public(
        _LOCATOR, path="/partners/{id}/", make=_listed, shows=public_name
    ),
    "partners:partner_logo": Public(
        "a listed partner's logo (public by design)",
        path="/partners/{id}/logo",
        make=_listed_with_logo,
    ),
}
