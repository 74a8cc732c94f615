"""A licence's entitlements (the copy made when it was issued) in plain words, for the
end customer's pages and emails: what support they get, and what the licence unlocks."""

from __future__ import annotations

from dataclasses import dataclass

from licensing.models import Licence, SupportHours


@dataclass(frozen=True)
class Entitlements:
    support: list[str]  # the support the plan includes (SPEC §3.7: shown on redemption)
    features: list[str]  # what the licence unlocks


def _plural(count: int, noun: str) -> str:
    return f"{count} {noun}{'' if count == 1 else 's'}"


def entitlements_in_words(licence: Licence) -> Entitlements:
    granted = licence.entitlements or {}
    support: list[str] = []
    hours = granted.get("support_hours") or ""
    if not hours:
        support.append("No support included")
    else:
        support.append(
            "Support 24 hours a day, 7 days a week"
            if hours == SupportHours.ALWAYS
            else "Support on business days"
        )
        tickets = granted.get("support_tickets_per_year")
        support.append(
            "Unlimited support tickets"
            if tickets is None
            else f"{_plural(tickets, 'support ticket')} a year"
        )
        response = granted.get("critical_response_hours")
        if response:
            support.append(f"Critical issues answered within {_plural(response, 'hour')}")
    features: list[str] = []
    if granted.get("hypervisor_licences_all_hosts"):
        features.append("Hypervisor licences for all your hosts")
    appliances = granted.get("management_appliances") or 0
    if appliances:
        features.append(_plural(appliances, "management appliance"))
    if granted.get("complete_feature_access"):
        features.append("Access to every feature")
    if granted.get("setup_assistance"):
        features.append("Help with setup and upgrades")
    return Entitlements(support=support, features=features)


def quantity_in_words(licence: Licence) -> str:
    """ "3 hosts", "25 users", "1 appliance"."""
    noun = licence.product.quantity_noun if licence.product_id else ""
    noun = noun or "units"
    if licence.quantity == 1 and noun.endswith("s"):
        noun = noun[:-1]
    return f"{licence.quantity} {noun}"
