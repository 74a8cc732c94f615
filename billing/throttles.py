from licensing.throttles import CustomerLinkRateThrottle


class QuoteSignatureRateThrottle(CustomerLinkRateThrottle):
    """The end customer signing a quote, per client IP whatever the link: the same budget
    as licensing's customer forms (REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"]["customer_links"]).
    Opening the link (GET) is not counted: mail scanners open links."""
