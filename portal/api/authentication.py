from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework.authentication import BaseAuthentication, SessionAuthentication


class CallerAuthentication(BaseAuthentication):
    """Authenticates the API request as the caller the tenancy middleware resolved.

    Resolving twice (once in the middleware for the database context, once in DRF) could
    disagree when a request carries both a cookie and a token; this class never resolves.
    Cookie sessions keep Django's CSRF protection; token requests need none.
    """

    def authenticate(self, request):
        caller = getattr(request._request, "caller", None)
        if caller is None or not caller.is_authenticated:
            return None
        if caller.via == "session":
            SessionAuthentication().enforce_csrf(request)
        return (caller.user, caller)

    def authenticate_header(self, request):
        # Makes DRF answer 401 (not 403) to anonymous API calls.
        return "X-Session-Token"


class CallerAuthenticationScheme(OpenApiAuthenticationExtension):
    target_class = "portal.api.authentication.CallerAuthentication"
    name = "SessionToken"

    def get_security_definition(self, auto_schema):
        return {"type": "apiKey", "in": "header", "name": "X-Session-Token"}
