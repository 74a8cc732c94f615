"""A licence's entitlements (the copy made when it was issued) in plain words, split for
the end customer's pages and emails: what support they get, and what the licence unlocks.
The wording is the catalogue's (licensing.selectors.catalogue), so a customer reads what
the partner read when it sold the licence."""

from __future__ import annotations

from dataclasses import dataclass

from licensing.models import Licence
from licensing.selectors.catalogue import feature_lines, quantity_words, support_lines


@dataclass(frozen=True)
class Entitlements:
    support: list[str]  # the support the plan includes (SPEC §3.7: shown on redemption)
    features: list[str]  # what the licence unlocks


def entitlements_in_words(licence: Licence) -> Entitlements:
    granted = licence.entitlements or {}
    return Entitlements(support=support_lines(granted), features=feature_lines(granted))


def quantity_in_words(licence: Licence) -> str:
    """ "3 hosts", "25 users", "1 appliance"."""
    noun = licence.product.quantity_noun if licence.product_id else ""
    return quantity_words(licence.quantity, noun)
