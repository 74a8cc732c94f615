"""Where a partner stands: its own tier status only (every member may read it)."""

from tests.routes.cases import OwnData

ROUTES: dict[str, object] = {
    "api:tier-status": OwnData("/api/v1/tier-status"),
}
