"""A partner's figures for the tier evaluation, made as the portal makes them (orders
through billing's service, deals, points through the ledger) and, where only time can
make them, moved back in time (an order's date is a plain column; invoices are not)."""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.utils import timezone

from billing.models import Order
from partners.models import (
    Organisation,
    SalesTraining,
    Session,
    SessionRegistration,
    TechnicalCertification,
)
from pes.models import PointsEntry
from pes.services.ledger import entry_write
from tests.billing.licence_sale_support import sell
from tests.deals.factories import make_deal
from tests.tenancy_support import observer

TODAY = timezone.localdate()


def sale(tenant, *, model: str = "late_involvement", quantity: int = 3, **fields) -> Order:
    """A Pro sale ($1,000 a host, list; 3 hosts at least) engaged as ``model`` (through
    an approved deal registration, or none for late involvement)."""
    if model != "late_involvement":
        from licensing.models import Product

        with observer():
            product = Product.objects.get(
                programme=tenant.organisation.partner_type.programme, code="pro"
            )
        deal = make_deal(
            tenant.organisation, status="approved", engagement_model=model, product=product
        )
        fields["deal"] = str(deal.pk)
    order, _licence = sell(tenant, "pro", quantity, **fields)
    return order


def placed_days_ago(order: Order, days: int) -> Order:
    with observer():
        Order.objects.filter(pk=order.pk).update(
            created_at=timezone.now() - datetime.timedelta(days=days)
        )
        order.refresh_from_db()
    return order


def points(organisation, n: int, *, on: datetime.date = TODAY) -> PointsEntry:
    with observer():
        return entry_write(
            organisation=organisation,
            kind=PointsEntry.Kind.ADJUSTMENT,
            points=n,
            earned_on=on,
            description="Test points",
        )


def level1_validated(organisation, on: datetime.date = TODAY) -> None:
    with observer():
        Organisation.objects.filter(pk=organisation.pk).update(level1_support_validated_on=on)


def certified(tenant, *, sales: bool = True, technical: bool = True, on=TODAY) -> None:
    """The tenant's administrator attended the sales training and holds a certification."""
    person = {
        "organisation": tenant.organisation,
        "membership": tenant.membership,
        "person_name": "Ada Admin",
        "person_email": tenant.admin.email,
    }
    with observer():
        if sales:
            SalesTraining.objects.create(attended_on=on, **person)
        if technical:
            TechnicalCertification.objects.create(
                name="Certified XCP-ng Administrator", obtained_on=on, **person
            )


def attended(tenant, *, at: datetime.datetime | None = None) -> SessionRegistration:
    with observer():
        session = Session.objects.create(
            title="Partner webinar",
            kind=Session.Kind.choices[0][0],
            starts_at=at or timezone.now() - datetime.timedelta(hours=2),
            capacity=10,
        )
        return SessionRegistration.objects.create(
            organisation=tenant.organisation,
            session=session,
            membership=tenant.membership,
            person_name="Ada Admin",
            person_email=tenant.admin.email,
            status=SessionRegistration.Status.ATTENDED,
            attended_at=timezone.now(),
        )


def usd(value) -> Decimal:
    return Decimal(value).quantize(Decimal("0.01"))
