"""seed_demo's billing data: accounts, Bluepeak attached to Northwind with a resale
discount, orders per demo partner at the engine's prices, and quotes with their PDFs
ready; a second run adds nothing."""

from __future__ import annotations

import hashlib
import io
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.utils.timezone import localdate

from billing.models import (
    BillingAccount,
    Order,
    OrderLine,
    Quote,
    QuoteLine,
    RedemptionCode,
    ResellerDiscount,
)
from licensing.models import Licence
from partners.models import Organisation
from pes.quarters import Quarter
from portal.models import AuditEvent


def counts() -> dict:
    found = {
        model.__name__: model.objects.count()
        for model in (
            Order,
            OrderLine,
            Quote,
            QuoteLine,
            RedemptionCode,
            BillingAccount,
            ResellerDiscount,
            Licence,
        )
    }
    # What billing's seed records (the catalogue's loader records each of its runs).
    found["audit"] = AuditEvent.objects.exclude(action="catalogue.loaded").count()
    return found


@pytest.mark.django_db
def test_seed_demo_places_the_demo_orders_once():
    call_command("seed_demo", stdout=io.StringIO())
    first = counts()
    call_command("seed_demo", stdout=io.StringIO())
    assert counts() == first

    bluepeak = Organisation.objects.get(name="Bluepeak IT")
    assert bluepeak.distributor.name == "Northwind Distribution"
    accounts = dict(BillingAccount.objects.values_list("organisation__name", "vat_number_valid"))
    assert accounts == {
        "Northwind Distribution": True,
        "Bluepeak IT": True,
        "Cloud Nine Hosting": False,
        "Lagoon Integrazioni": True,
    }

    # Today's orders: the past quarters' (pes.demo_history) are tested in tests/pes.
    today = Order.objects.filter(created_at__date__gte=Quarter.containing(localdate()).start)
    orders = {
        (o.organisation.name, o.customer_name): o
        for o in today.select_related("organisation", "distributor", "deal")
    }
    # The seven demo orders, Lagoon's first sale, Cloud Nine's sale and its upgrade (the
    # same customer: one key here), and Northwind's sale due for renewal (demo_credits).
    assert today.count() == 11
    assert len(orders) == 10

    # Northwind (distributor tier 2, DE, valid VAT number): partner-owned deal, 50 % off,
    # reverse charge from the French vendor.
    kiel = orders["Northwind Distribution", "Kieler Werft"]
    assert (kiel.deal.customer_domain, kiel.engagement_model) == (
        "kieler-werft.example",
        "partner_owned",
    )
    assert (kiel.list_amount, kiel.net_amount, kiel.tax_kind, kiel.total) == (
        Decimal("10000.00"),
        Decimal("5000.00"),
        "reverse_charge",
        Decimal("5000.00"),
    )

    # Five single-use codes for a flat Essential bundle: 5 x 2,000, 10 % late involvement.
    codes = orders["Northwind Distribution", "Nordlicht Schulen"]
    assert RedemptionCode.objects.filter(line__order=codes).count() == 5
    assert (codes.list_amount, codes.net_amount) == (Decimal("10000.00"), Decimal("9000.00"))

    # Bluepeak buys through Northwind at Northwind's 5 % default (Essential Plus: one
    # bundle for up to three hosts); Northwind (DE) invoices Bluepeak (FR, valid VAT
    # number): reverse charge. Northwind buys at 10 % off.
    through = orders["Bluepeak IT", "Ateliers Rhone SARL"]
    assert through.distributor.name == "Northwind Distribution"
    assert (through.list_amount, through.net_amount, through.total) == (
        Decimal("4000.00"),
        Decimal("3800.00"),
        Decimal("3800.00"),
    )
    assert through.distributor_net == Decimal("3600.00")
    assert not through.placed_by_distributor

    # Bluepeak's own use: the personal space, list price, from the vendor (French VAT).
    own = orders["Bluepeak IT", "Bluepeak IT"]
    assert (own.space, own.distributor, own.net_amount, own.tax, own.total) == (
        "personal",
        None,
        Decimal("2000.00"),
        Decimal("400.00"),
        Decimal("2400.00"),
    )

    # Cloud Nine (CSP tier 1, US): monthly (the yearly price / 12), 5 % off, export.
    cloud = orders["Cloud Nine Hosting", "Front Range Dental Group"]
    assert (cloud.billing_period, cloud.list_amount, cloud.net_amount) == (
        "monthly",
        Decimal("416.67"),
        Decimal("395.84"),
    )
    assert (cloud.tax_kind, cloud.tax) == ("export", Decimal("0.00"))

    # Northwind placed this one for Bluepeak: Bluepeak's order, supplied by Northwind.
    placed_for = orders["Bluepeak IT", "Groupe Rhone Sante"]
    assert placed_for.placed_by_distributor
    assert placed_for.distributor.name == "Northwind Distribution"
    assert (placed_for.net_amount, placed_for.distributor_net) == (
        Decimal("3800.00"),
        Decimal("3600.00"),
    )


@pytest.mark.django_db
def test_seed_demo_makes_the_demo_quotes_once_with_their_pdfs_ready():
    call_command("seed_demo", stdout=io.StringIO())
    call_command("seed_demo", stdout=io.StringIO())

    quotes = {
        (q.organisation.name, q.customer_name): q
        for q in Quote.objects.select_related("organisation", "order")
    }
    assert {key: q.status for key, q in quotes.items()} == {
        ("Bluepeak IT", "Clinique du Parc"): "open",
        ("Bluepeak IT", "Lycee Ampere"): "sent",
        ("Northwind Distribution", "Hanse Logistik AG"): "ordered",
        ("Northwind Distribution", "Stadtwerke Lueneburg"): "open",
    }
    for quote in quotes.values():
        assert quote.pdf_status == "ready", quote
        for file, digest in (
            (quote.pdf, quote.pdf_sha256),
            (quote.customer_pdf, quote.customer_pdf_sha256),
        ):
            with file.open("rb") as stored:
                content = stored.read()
            assert content.startswith(b"%PDF"), quote
            assert hashlib.sha256(content).hexdigest() == digest

    # Bluepeak buys through Northwind: its quotes carry Northwind's layer too.
    sent = quotes["Bluepeak IT", "Lycee Ampere"]
    assert sent.distributor.name == "Northwind Distribution"
    assert (sent.sent_at is not None, sent.signature_token is not None) == (True, True)

    # Signed by the customer, then converted at the quoted prices (never priced again).
    converted = quotes["Northwind Distribution", "Hanse Logistik AG"]
    assert converted.signed_name == "Jens Petersen"
    order = converted.order
    assert (order.net_amount, order.total, order.customer_email) == (
        converted.net_amount,
        converted.total,
        converted.customer_email,
    )
    assert Order.objects.filter(quote=converted).count() == 1
