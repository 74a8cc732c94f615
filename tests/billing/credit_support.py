"""The Xen Orchestra programme as seeded (its first-sale credit on) and its appliance
editions, for the first-sale credit tests: the seed is the oracle (a reseller's standard
discount: 20%; Starter $1,500, Enterprise $4,150, Premium $6,250 a year). The fixtures
``xo`` and ``xo_partner`` are in tests/billing/conftest.py."""

from __future__ import annotations

from licensing.services.catalogue import catalogue_load
from partners.services.programme import programme_load
from portal.tenancy.context import system_context

DE_VAT = "DE136695976"


def load_xen_orchestra():
    with system_context("command:seed_demo"):
        programme = programme_load(code="xen-orchestra")
        catalogue_load(code="xen-orchestra")
    return programme


def xo_order_body(product: str = "xoa-starter", **fields) -> dict:
    """An order for a customer of one appliance edition, billed yearly."""
    return {
        "customer_name": fields.pop("customer_name", "Acme Hospital"),
        "customer_country": "DE",
        "customer_email": "it@acme-hospital.example",
        "billing_period": fields.pop("billing_period", "yearly"),
        "space": fields.pop("space", "reseller"),
        "lines": [{"product": product, "quantity": 1}],
        **fields,
    }
