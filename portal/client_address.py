"""The client's address, one rule for rate limits, signature records and the audit trail."""

import ipaddress

from rest_framework.throttling import BaseThrottle


def client_ip(request) -> str | None:
    """The request's client address as DRF's throttles see it (``X-Forwarded-For`` trusted
    for ``TRUSTED_PROXY_COUNT`` proxies only), or None when it is not an IP address: a
    forged header entry must not break a write into an address column."""
    ident = BaseThrottle().get_ident(request)
    try:
        return str(ipaddress.ip_address(ident)) if ident else None
    except ValueError:
        return None
