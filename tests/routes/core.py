from tests.routes.cases import OwnData

ROUTES = {
    "api:me": OwnData("/api/v1/me"),
    "space:dashboard": OwnData("/space/"),
}
