"""Orders as partners place them: through billing's service (the only way an order comes
to exist), for any organisation, with a Pro plan in its programme when none is given."""

from __future__ import annotations

from billing.models import Order
from billing.services.orders import order_place
from licensing.models import Product
from tests.licensing.factories import PlanFactory, ProductFactory
from tests.tenancy_support import observer


def sellable_product(organisation, code: str = "pro") -> Product:
    """``code`` of the organisation's programme, with a yearly USD plan (1,000 per host)."""
    product = ProductFactory(programme=organisation.partner_type.programme, code=code)
    PlanFactory(product=product)
    return product


def order_body(product: Product | None = None, **fields) -> dict:
    """An order's request body (the API's), for a Pro x 3 by default."""
    lines = fields.pop("lines", None) or [
        {"product": product.code if product else "pro", "quantity": fields.pop("quantity", 3)}
    ]
    return {
        "customer_name": "Acme Hospital",
        "customer_country": "DE",
        "customer_email": "it@acme-hospital.example",
        "billing_period": "yearly",
        "space": "reseller",
        "lines": lines,
        **fields,
    }


def place_order(organisation, *, product: Product | None = None, actor=None, **fields) -> Order:
    """An order placed by ``organisation`` (an administrator's role) through the service."""
    if product is None and "lines" not in fields:
        product = sellable_product(organisation)
    with observer():
        return order_place(
            organisation=organisation,
            actor=actor,
            role="admin",
            data=order_body(product, **fields),
        ).order
