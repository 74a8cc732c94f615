from partners.throttles import ApplicationRateThrottle


class RedemptionCodeRateThrottle(ApplicationRateThrottle):
    """The end customer's redemption-code form, per client IP whatever the code
    (REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"]["redemption_codes"]): a guesser gets a few
    tries an hour at 80-bit codes. Opening the page (GET) is not counted."""

    scope = "redemption_codes"
