"""Reads for NFR / internal-use licences (SPEC §3.7; the Vates seed's "Internal Use
Licenses (IUL / NFR)")."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import QuerySet
from django.utils import timezone

from licensing.models import Licence, Product
from licensing.selectors.trials import OPEN_STATUSES


@dataclass(frozen=True)
class NfrEligibility:
    eligible: bool
    #: What the partner is told: why it may (or may not yet) have complimentary NFR licences.
    message: str


def nfr_eligibility(*, organisation) -> NfrEligibility:
    """Complimentary NFR licences are a benefit of the partner types whose programme gives
    them (``PartnerType.complimentary_nfr``: Vates distributors and MSPs). Before that,
    internal-use licences are billed at list price (the seed: "Licenses acquired prior to
    eligibility are billed at standard pricing"): billing takes such an order."""
    partner_type = organisation.partner_type
    if partner_type.complimentary_nfr:
        return NfrEligibility(
            True,
            f"As a {partner_type.name} you get complimentary NFR licences for internal use: "
            "one year each, one running licence per product.",
        )
    eligible = list(
        partner_type.programme.types.filter(complimentary_nfr=True)
        .order_by("name")
        .values_list("name", flat=True)
    )
    who = f" ({', '.join(eligible)})" if eligible else ""
    return NfrEligibility(
        False,
        f"Complimentary NFR licences are for the partner types that earn them{who}. Until "
        f"your organisation is eligible, internal-use licences are billed at list price: "
        "order them like any licence.",
    )


def nfr_licences_for(*, organisation) -> QuerySet[Licence]:
    return (
        Licence.objects.owned_by(organisation)
        .filter(kind=Licence.Kind.NFR)
        .order_by("-created_at", "-id")
    )


#: The ``source`` of a complimentary NFR licence (licensing.services.nfr). Internal-use
#: licences bought in the personal space (billing) are NFR licences too, but paid for:
#: they never use up the complimentary one.
COMPLIMENTARY_SOURCE = "nfr"


def running_nfr(*, organisation, product: Product) -> Licence | None:
    """The organisation's complimentary NFR licence of ``product`` that still runs, if any."""
    return (
        nfr_licences_for(organisation=organisation)
        .filter(
            product=product,
            source=COMPLIMENTARY_SOURCE,
            status__in=OPEN_STATUSES,
            ends_on__gte=timezone.localdate(),
        )
        .first()
    )


def nfr_products(*, organisation) -> list[dict]:
    """The programme's products with their list price and whether the organisation already
    holds a running NFR licence of each (two queries)."""
    products = list(
        Product.objects.filter(programme_id=organisation.partner_type.programme_id, is_active=True)
        .prefetch_related("plans")
        .order_by("position", "name")
    )
    held = set(
        nfr_licences_for(organisation=organisation)
        .filter(status__in=OPEN_STATUSES, ends_on__gte=timezone.localdate())
        .values_list("product_id", flat=True)
    )
    rows = []
    for product in products:
        plans = [p for p in product.plans.all() if p.is_active]
        yearly = next((p for p in plans if p.billing_period == "yearly"), None)
        rows.append({"product": product, "list_price": yearly, "held": product.pk in held})
    return rows
