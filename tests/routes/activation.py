"""Licensing routes: activation (see tests/routes/cases.py for the kinds of route)."""

from partners import roles
from tests.licensing.factories_activation import live_activation
from tests.routes.cases import Public, TenantObject

_APPLIANCE = (
    "appliances activate with the licence key as their only credential: an unknown key is "
    "refused with nothing about any licence (tests/licensing/test_activation.py)"
)
NO_SUCH_KEY = "ABCDE-FGHJK-MNPQR-STVWX-YZ012"


def _activation(tenant) -> dict:
    return {"id": live_activation(tenant.organisation).pk}


ROUTES: dict[str, object] = {
    "api:licensing-public-key": Public(
        "the vendor's public keys that verify licence files offline (public by design)",
        path="/api/v1/licensing/public-key",
        shows=lambda tenant: "Ed25519",
    ),
    "api:activations": Public(
        _APPLIANCE,
        path="/api/v1/activations",
        method="post",
        data={"key": NO_SUCH_KEY, "fingerprint": "machine-0001"},
        expect=400,
    ),
    "api:activation-detail": Public(
        _APPLIANCE + "; deactivating needs the key in the X-Licence-Key header",
        path="/api/v1/activations/{id}",
        method="delete",
        make=_activation,
        expect=400,
    ),
    "api:activation-release": TenantObject(
        "/api/v1/activations/{id}/release",
        methods=("post",),
        roles={"post": roles.MANAGE_LICENCES},
        make=lambda tenant: live_activation(tenant.organisation),
    ),
}
