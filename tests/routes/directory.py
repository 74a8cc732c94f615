from tests.routes.cases import OwnData, Public

_PUBLIC = Public("public directory: tested in tests/partners/test_directory.py")

ROUTES: dict[str, object] = {
    "api:profile": OwnData("/api/v1/profile"),
    "partners:profile": OwnData("/space/profile/"),
    "api:directory-list": _PUBLIC,
    "api:directory-detail": _PUBLIC,
}
