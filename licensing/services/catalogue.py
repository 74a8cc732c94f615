"""Loading a programme's catalogue from its fixture (licensing/catalogues/<code>.json).

The programme's rules come from partners' fixture of the same code (``load_programme``);
the catalogue is licensing's, so it has its own file and loader, run after it.
"""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

from django.db import transaction

from licensing.models import Plan, Product
from partners.models import Programme
from portal.audit.services import audit_record
from portal.errors import DomainError

CATALOGUES_DIR = Path(__file__).resolve().parent.parent / "catalogues"

_PRODUCT_FIELDS = [
    "name",
    "family",
    "description",
    "unit",
    "quantity_noun",
    "min_quantity",
    "max_quantity",
    "support_tickets_per_year",
    "support_hours",
    "critical_response_hours",
    "hypervisor_licences_all_hosts",
    "management_appliances",
    "complete_feature_access",
    "setup_assistance",
    "machine_limit",
]


def available_catalogues() -> list[str]:
    return sorted(p.stem for p in CATALOGUES_DIR.glob("*.json"))


@transaction.atomic
def catalogue_load(*, code: str) -> list[Product]:
    """Create or update the programme's products and plans from the fixture. Products
    and plans are updated in place (licences point at them); a product or plan the
    fixture no longer names is withdrawn from sale (inactive), never deleted."""
    path = CATALOGUES_DIR / f"{code}.json"
    if not path.exists():
        raise DomainError(
            f"No catalogue fixture '{code}'. Available: {', '.join(available_catalogues())}.",
            code="unknown_catalogue",
        )
    data = json.loads(path.read_text())
    programme = Programme.objects.filter(code=data["programme"]).first()
    if programme is None:
        raise DomainError(
            f"Load the programme first: manage.py load_programme {data['programme']}.",
            code="unknown_programme",
        )
    products = []
    for position, item in enumerate(data["products"]):
        defaults = {key: item[key] for key in _PRODUCT_FIELDS if key in item}
        product, _ = Product.objects.update_or_create(
            programme=programme,
            code=item["code"],
            defaults={**defaults, "position": position, "is_active": True},
        )
        for plan in item["plans"]:
            Plan.objects.update_or_create(
                product=product,
                billing_period=plan["billing_period"],
                defaults={
                    "currency": plan["currency"],
                    "price": Decimal(plan["price"]),
                    "is_active": True,
                },
            )
        periods = [plan["billing_period"] for plan in item["plans"]]
        product.plans.exclude(billing_period__in=periods).update(is_active=False)
        products.append(product)
    programme.products.exclude(code__in=[p.code for p in products]).update(is_active=False)
    audit_record(
        actor=None,
        action="catalogue.loaded",
        obj=programme,
        organisation=None,
        after={"products": [p.code for p in products]},
        summary=f"Catalogue of {programme.name} loaded from its fixture",
    )
    return products


def product_quantity_validate(*, product: Product, quantity: int) -> None:
    """The one rule for quantities (licences, quotes, orders): within the product's
    minimum and maximum, with a message that says which."""
    noun = product.quantity_noun or "units"
    if quantity < product.min_quantity:
        raise DomainError(
            f"{product} needs at least {product.min_quantity} {noun}.",
            field="quantity",
            code="quantity_below_minimum",
        )
    if product.max_quantity is not None and quantity > product.max_quantity:
        raise DomainError(
            f"{product} covers at most {product.max_quantity} {noun}.",
            field="quantity",
            code="quantity_above_maximum",
        )
