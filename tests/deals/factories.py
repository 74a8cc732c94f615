"""Deal registrations as the platform would have recorded them, and the request bodies a
partner sends."""

from __future__ import annotations

import itertools
from datetime import timedelta
from decimal import Decimal

from django.utils import timezone

from deals.models import Deal, DealEvent
from deals.services.registrations import next_reference
from licensing.models import Product
from tests.licensing.factories import ProductFactory
from tests.tenancy_support import observer

_sequence = itertools.count(1)


def product_for(organisation, code: str = "pro") -> Product:
    """The catalogue product ``code`` of the organisation's programme."""
    return ProductFactory(
        programme=organisation.partner_type.programme, code=code, name=code.title()
    )


def make_deal(
    organisation,
    *,
    status: str = Deal.Status.SUBMITTED,
    domain: str | None = None,
    product: Product | None = None,
    **fields,
) -> Deal:
    """A registration of ``organisation`` in ``status`` (approved ones protected for 90 days)."""
    n = next(_sequence)
    product = product or product_for(organisation)
    today = timezone.localdate()
    protected = status in (Deal.Status.APPROVED, Deal.Status.WON, Deal.Status.EXPIRED)
    values = {
        "customer_name": f"Customer {n} GmbH",
        "customer_domain": domain or f"customer{n}.example",
        "customer_country": "DE",
        "customer_email": f"buyer@customer{n}.example",
        "estimated_value": Decimal("1000.00"),
        "currency": "USD",
        "expected_close_date": today + timedelta(days=30),
        "engagement_model": "partner_owned",
        "protected_until": today + timedelta(days=90) if protected else None,
        **fields,
    }
    with observer():
        deal = Deal.objects.create(
            organisation=organisation,
            reference=next_reference(year=timezone.now().year),
            product=product,
            status=status,
            **values,
        )
        DealEvent.objects.create(deal=deal, kind=DealEvent.Kind.SUBMITTED)
    return deal


def payload(**changes) -> dict:
    """A valid registration body for the API (product "pro" must exist)."""
    return {
        "customer_name": "Acme Logistik GmbH",
        "customer_domain": "https://www.Acme-Logistik.example/about",
        "customer_country": "DE",
        "customer_email": "buyer@acme-logistik.example",
        "product": "pro",
        "estimated_value": "12000.00",
        "expected_close_date": (timezone.localdate() + timedelta(days=30)).isoformat(),
        "engagement_model": "partner_owned",
        "notes": "Pilot in the first quarter.",
        **changes,
    }


def make_lead(organisation, *, status: str = "submitted", **fields):
    """A referral lead of ``organisation`` (converted ones with their sale and commission)."""
    from deals.models import ReferralLead

    n = next(_sequence)
    values = {
        "customer_name": f"Prospect {n} SA",
        "customer_domain": f"prospect{n}.example",
        "customer_country": "FR",
        "customer_email": f"cto@prospect{n}.example",
        **fields,
    }
    if status == "converted":
        values.setdefault("sale_date", timezone.localdate())
        values.setdefault("sale_amount", Decimal("5000.00"))
        values.setdefault("currency", "EUR")
        values.setdefault("commission_percent", Decimal("10.00"))
        values.setdefault("commission_amount", Decimal("500.00"))
    with observer():
        return ReferralLead.objects.create(
            organisation=organisation,
            reference=next_reference(year=timezone.now().year, prefix="RL"),
            status=status,
            **values,
        )


def make_fee(organisation, *, status: str = "purchase_recorded", **fields):
    """A referral fee on a new approved registration of ``organisation``."""
    from deals.models import ReferralFee

    deal = make_deal(organisation, status=Deal.Status.APPROVED)
    values = {
        "purchase_date": timezone.localdate(),
        "list_amount": Decimal("4000.00"),
        "currency": "USD",
        "discount_percent": Decimal("20.00"),
        "fee_amount": Decimal("800.00"),
        **fields,
    }
    if status != "purchase_recorded":
        values.setdefault("invoice_number", f"INV-{next(_sequence)}")
    with observer():
        return ReferralFee.objects.create(
            organisation=organisation, deal=deal, status=status, **values
        )
