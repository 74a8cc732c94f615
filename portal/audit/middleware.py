from portal.audit.services import audit_request


class AuditRequestMiddleware:
    """Audit records written while serving a request name its client IP (and, for a
    platform action with no actor of its own, its user). Holds the request for the
    view's duration only (portal.audit.services)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        with audit_request(request):
            return self.get_response(request)
