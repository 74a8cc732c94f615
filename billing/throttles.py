"""Rate limits of the billing app's public pages (the end customer's, no account)."""

from licensing.throttles import CustomerLinkRateThrottle
from partners.throttles import ApplicationRateThrottle


class QuoteSignatureRateThrottle(CustomerLinkRateThrottle):
    """The end customer signing a quote, per client IP whatever the link: the same budget
    as licensing's customer forms (REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"]["customer_links"]).
    Opening the link (GET) is not counted: mail scanners open links."""


class RedemptionCodeRateThrottle(ApplicationRateThrottle):
    """The end customer's redemption-code form, per client IP whatever the code
    (REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"]["redemption_codes"]): a guesser gets a few
    tries an hour at 80-bit codes. Opening the page (GET) is not counted."""

    scope = "redemption_codes"
