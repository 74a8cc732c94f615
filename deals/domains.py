"""The customer's domain as the opportunity's key: one spelling for one company.

``https://www.Example.COM/path``, ``WWW.example.com`` and ``example.com.`` are the same
customer; an internationalised name is kept in its ASCII (punycode) form, so ``bücher.example``
and ``xn--bcher-kva.example`` are too. Python's own IDNA codec converts it (IDNA 2003 with
nameprep): no dependency for one conversion.
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from portal.errors import DomainError

FIELD = "customer_domain"
MAX_LENGTH = 253

_LABEL = re.compile(r"^(?!-)[a-z0-9-]{1,63}(?<!-)$")
_MESSAGE = "Give the customer's web domain, such as example.com."


def normalise_domain(value: str) -> str:
    """The domain of ``value`` (a domain, a host name or a web address): lower case,
    without scheme, user, port, path or a leading ``www.``, in punycode. Raises a
    ``DomainError`` on the ``customer_domain`` field for anything that is not a domain."""
    text = (value or "").strip()
    if not text:
        raise DomainError(_MESSAGE, field=FIELD, code="domain_required")
    if "://" not in text:
        text = "//" + text  # so that urlsplit reads the host, not a path
    try:
        host = urlsplit(text).hostname or ""
    except ValueError as exc:  # an invalid port or bracketed address
        raise DomainError(_MESSAGE, field=FIELD, code="invalid_domain") from exc
    host = host.strip().rstrip(".").lower()
    while host.startswith("www.") and host.count(".") >= 2:  # www.com stays itself
        host = host.removeprefix("www.")
    try:
        ascii_host = host.encode("idna").decode("ascii").lower()
    except UnicodeError as exc:
        raise DomainError(_MESSAGE, field=FIELD, code="invalid_domain") from exc
    labels = ascii_host.split(".")
    if (
        len(labels) < 2
        or len(ascii_host) > MAX_LENGTH
        or not all(_LABEL.match(label) for label in labels)
        or labels[-1].isdigit()  # an IP address is no customer's domain
    ):
        raise DomainError(_MESSAGE, field=FIELD, code="invalid_domain")
    return ascii_host
