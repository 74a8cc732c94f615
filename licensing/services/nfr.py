"""NFR / internal-use licences (SPEC §3.7).

A partner of a type with ``complimentary_nfr`` gets a one-year NFR licence of a catalogue
product for its own internal use, free, one running licence per product. A partner not
(yet) eligible is told that internal-use licences are billed at list price until it is
(code ``nfr_not_eligible``); billing will take that order. NFR licences never count as
customer sales (``customer_sales_licences``).
"""

from __future__ import annotations

from django.db import connection, transaction

from licensing.models import Licence
from licensing.selectors.nfr import COMPLIMENTARY_SOURCE, nfr_eligibility, running_nfr
from licensing.services.licences import licence_issue
from licensing.services.requests import require_licence_manager
from licensing.services.trials import offered_product
from portal.errors import Conflict, DomainError
from portal.formats import format_date


class NfrNotEligible(DomainError):
    default_code = "nfr_not_eligible"


@transaction.atomic
def nfr_request(*, actor, organisation, role: str | None, product: str, quantity: int) -> Licence:
    """Issue a complimentary NFR licence (one year) of ``product`` (its code) to the
    partner itself."""
    require_licence_manager(role)
    eligibility = nfr_eligibility(organisation=organisation)
    if not eligibility.eligible:
        raise NfrNotEligible(eligibility.message, field="product")
    chosen = offered_product(organisation=organisation, code=product)
    if isinstance(quantity, bool) or not isinstance(quantity, int):
        raise DomainError("Give the quantity as a whole number.", field="quantity")
    # One running NFR licence per product: requests for the same product wait for each
    # other here (a transaction-scoped lock), so two at once cannot both pass the check.
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pg_advisory_xact_lock(hashtext(%s))", [f"nfr:{organisation.pk}:{chosen.pk}"]
        )
    current = running_nfr(organisation=organisation, product=chosen)
    if current is not None:
        raise Conflict(
            f"You already have an NFR licence of {current.product_name} running until "
            f"{format_date(current.ends_on)}: one per product.",
            field="product",
            code="nfr_exists",
        )
    return licence_issue(
        actor=actor,
        organisation=organisation,
        product=chosen,
        quantity=quantity,
        kind=Licence.Kind.NFR,
        customer_name=organisation.name,
        source=COMPLIMENTARY_SOURCE,
    )
