"""The opportunity's key: one spelling of a customer's domain."""

import pytest

from deals.domains import normalise_domain
from portal.errors import DomainError


@pytest.mark.parametrize(
    ("given", "stored"),
    [
        ("WWW.Example.COM", "example.com"),
        ("https://www.example.com/path", "example.com"),
        ("bücher.example", "xn--bcher-kva.example"),
        ("https://www.Bücher.example/shop?q=1", "xn--bcher-kva.example"),
        ("xn--bcher-kva.example", "xn--bcher-kva.example"),
        ("  example.com.  ", "example.com"),
        ("http://user:secret@shop.example.co.uk:8443/x", "shop.example.co.uk"),
        ("www.www.example.com", "example.com"),
        ("www.com", "www.com"),  # a domain whose name is www stays itself
        ("Example.COM/contact", "example.com"),
    ],
)
def test_domains_are_normalised(given, stored):
    assert normalise_domain(given) == stored


@pytest.mark.parametrize(
    "given",
    ["", "   ", "localhost", "192.0.2.10", "http://[::1]/", "exa mple.com", "-bad.example",
     "a..example", "https://", "x" * 64 + ".example", "label." * 60 + "example"],
)  # fmt: skip
def test_what_is_no_domain_is_a_field_error(given):
    with pytest.raises(DomainError) as refused:
        normalise_domain(given)
    assert refused.value.field == "customer_domain"
