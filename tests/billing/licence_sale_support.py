"""Customer licences sold through orders, for the upgrade and renewal tests: a Vates
partner's order of a seeded plan (Pro $1,000 a host, Essential $2,000, Essential+ $4,000,
Enterprise EUR 1,800 a host) and the licence it issued."""

from __future__ import annotations

from billing.models import Invoice, Order
from billing.services.orders import order_place
from licensing.models import Licence
from tests.billing.factories import order_body
from tests.tenancy_support import observer

DE_VAT = "DE136695976"
FR_VAT = "FR40303265045"


def sell(tenant, product: str = "pro", quantity: int = 3, **fields) -> tuple[Order, Licence]:
    """``tenant`` sells ``quantity`` of ``product`` to a customer, yearly."""
    with observer():
        order = order_place(
            organisation=tenant.organisation,
            actor=tenant.admin,
            role="admin",
            data=order_body(lines=[{"product": product, "quantity": quantity}], **fields),
        ).order
        return order, order.lines.get().licence


def invoice_of(order: Order) -> Invoice:
    with observer():
        return Invoice.objects.get(order=order, kind=Invoice.Kind.INVOICE)


def credit_notes_of(order: Order) -> list[Invoice]:
    """The credit notes settled against ``order`` (an upgrade's)."""
    with observer():
        return list(
            Invoice.objects.filter(order=order, kind=Invoice.Kind.CREDIT_NOTE).order_by("number")
        )
