from rest_framework.throttling import SimpleRateThrottle


class ApplicationRateThrottle(SimpleRateThrottle):
    """Public application submissions per client IP, logged in or not. The HTML form and
    the API share this one counter (REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"]["applications"])."""

    scope = "applications"

    def get_cache_key(self, request, view):
        return self.cache_format % {"scope": self.scope, "ident": self.get_ident(request)}


class ContactRateThrottle(ApplicationRateThrottle):
    """Messages to partners through the locator's contact form, per client IP, across
    every partner (REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"]["contact_requests"])."""

    scope = "contact_requests"
