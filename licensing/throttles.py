from partners.throttles import ApplicationRateThrottle


class CustomerLinkRateThrottle(ApplicationRateThrottle):
    """The end customer's forms (redeeming a licence, naming seat holders), per client IP
    whatever the link (REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"]["customer_links"]). Opening
    a link (GET) is not counted: mail scanners open links."""

    scope = "customer_links"
