"""From what a partner sent to a sale the engine can price: one validation for the
preview, quotes and orders (the API's serializers check types; the rules are here).

Each refusal is a ``DomainError`` naming its field, so the API answers 400 with the field
and the page shows the message beside it; nothing is written before this has passed."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django_countries import countries

from billing.models import Space
from billing.selectors.sale_choices import LINKABLE_DEALS, sellable_products
from billing.services.pricing import LineRequest, SaleRequest
from deals.models import Deal
from licensing.models import BillingPeriod
from licensing.services.catalogue import product_quantity_validate
from partners.models import Organisation
from partners.selectors.programme import is_embargoed
from portal.errors import DomainError

MAX_LINES = 50
MAX_COPIES = 1000


def sale_lines_validate(*, organisation: Organisation, lines) -> tuple[LineRequest, ...]:
    """``[{"product": "pro", "quantity": 3}, ...]``: products of the partner's programme,
    quantities within each product's minimum and maximum."""
    if not lines:
        raise DomainError("Add at least one product.", field="lines", code="required")
    if len(lines) > MAX_LINES:
        raise DomainError(f"At most {MAX_LINES} lines.", field="lines", code="too_many")
    codes = {str(line.get("product") or "") for line in lines}
    products = {
        p.code: p for p in sellable_products(organisation=organisation).filter(code__in=codes)
    }
    result = []
    for line in lines:
        code = str(line.get("product") or "")
        product = products.get(code)
        if product is None:
            raise DomainError(
                f"No product {code!r} in your programme's catalogue.",
                field="product",
                code="unknown_product",
            )
        quantity = line.get("quantity")
        if not isinstance(quantity, int) or isinstance(quantity, bool) or quantity < 1:
            raise DomainError("Give a whole quantity of at least 1.", field="quantity")
        product_quantity_validate(product=product, quantity=quantity)
        copies = line.get("copies", 1)
        if not isinstance(copies, int) or isinstance(copies, bool) or not 1 <= copies <= MAX_COPIES:
            raise DomainError(f"Copies: from 1 to {MAX_COPIES}.", field="copies")
        result.append(LineRequest(product=product, quantity=quantity, copies=copies))
    return tuple(result)


def sale_deal_validate(*, organisation: Organisation, deal_id) -> Deal | None:
    """The partner's own approved (or won) registration, or None. Another partner's, a
    missing one and a malformed id read alike."""
    if deal_id in (None, ""):
        return None
    try:
        deal = Deal.objects.owned_by(organisation).select_related("product").get(pk=deal_id)
    except (Deal.DoesNotExist, ValidationError, ValueError):
        raise DomainError(
            "No such deal registration of yours.", field="deal", code="unknown_deal"
        ) from None
    if deal.status not in LINKABLE_DEALS:
        raise DomainError(
            f"This registration is {deal.get_status_display().lower()}: only an approved "
            "registration gives its engagement model to a sale.",
            field="deal",
            code="deal_not_approved",
        )
    return deal


def sale_country_validate(value, *, field: str = "customer_country") -> str:
    country = str(value or "").strip().upper()
    if country not in countries:
        raise DomainError(
            "Choose the customer's country (a two-letter ISO 3166 code).",
            field=field,
            code="country",
        )
    return country


def sale_request_build(
    *, organisation: Organisation, data: dict, credit_available=None
) -> SaleRequest:
    """The sale to price from ``data`` (the preview's, quote's and order's common keys:
    ``lines`` or ``product`` + ``quantity``, ``billing_period``, ``space``,
    ``customer_country``, ``customer_nonprofit``, ``deal``)."""
    lines = data.get("lines")
    if lines is None and data.get("product") is not None:
        lines = [{"product": data.get("product"), "quantity": data.get("quantity")}]
    billing_period = data.get("billing_period") or BillingPeriod.YEARLY
    if billing_period not in BillingPeriod.values:
        raise DomainError("Bill monthly or yearly.", field="billing_period")
    space = data.get("space") or Space.RESELLER
    if space not in Space.values:
        raise DomainError("Buy in the reseller space or the personal space.", field="space")
    country = data.get("customer_country")
    customer_country = (
        sale_country_validate(country)
        if space == Space.RESELLER or country
        else str(organisation.country)
    )
    deal = sale_deal_validate(organisation=organisation, deal_id=data.get("deal"))
    if deal is not None and space == Space.PERSONAL:
        raise DomainError(
            "A deal registration is for a customer's purchase (the reseller space).",
            field="deal",
            code="deal_in_personal_space",
        )
    kwargs = {}
    if credit_available is not None:
        kwargs["credit_available"] = credit_available
    return SaleRequest(
        organisation=organisation,
        billing_period=billing_period,
        space=space,
        lines=sale_lines_validate(organisation=organisation, lines=lines),
        customer_country=customer_country,
        customer_nonprofit=bool(data.get("customer_nonprofit")),
        deal=deal,
        **kwargs,
    )


def sale_customer_validate(*, organisation: Organisation, data: dict) -> dict:
    """The named end customer of a quote or order (no anonymous sales), screened for the
    programme's embargo."""
    name = str(data.get("customer_name") or "").strip()
    if not name:
        raise DomainError("Name the end customer.", field="customer_name", code="required")
    email = str(data.get("customer_email") or "").strip()
    try:
        validate_email(email)
    except ValidationError:
        raise DomainError(
            "Give the customer contact's email address.", field="customer_email", code="email"
        ) from None
    country = sale_country_validate(data.get("customer_country"))
    region = str(data.get("customer_region") or "").strip()[:80]
    if is_embargoed(programme=organisation.partner_type.programme, country=country, region=region):
        raise DomainError(
            "The programme does not sell to this country or region (embargo).",
            field="customer_country",
            code="embargoed",
        )
    return {
        "customer_name": name[:200],
        "customer_email": email.lower(),
        "customer_country": country,
    }
