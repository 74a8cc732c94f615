"""The demo's first-sale balance, upgrade and renewal due (billing.demo_credits): made
through the partners' services, and idempotent."""

from __future__ import annotations

import io
from decimal import Decimal

import pytest

from billing.demo_credits import seed_credits
from billing.models import CreditEntry, Invoice, Order
from billing.selectors.renewals import renewals_due
from portal.tenancy.context import system_context
from tests.billing.licence_sale_support import DE_VAT, FR_VAT

pytestmark = pytest.mark.django_db


def test_the_demo_credits_are_made_once(xo_partner, partner):
    xo_reseller = xo_partner()
    upgrading = partner("reseller", tier=2, country="FR", vat_number=FR_VAT)
    renewing = partner("reseller", tier=3, country="DE", vat_number=DE_VAT)
    organisations = {
        "xo_reseller": xo_reseller.organisation,
        "upgrading": upgrading.organisation,
        "renewing": renewing.organisation,
    }

    for _ in range(2):
        out = io.StringIO()
        with system_context("command:seed_demo"):
            seed_credits(stdout=out, **organisations)

    earned = CreditEntry.objects.get(organisation=xo_reseller.organisation)
    assert (earned.kind, earned.amount) == ("earned", Decimal("830.00"))
    upgrade = Order.objects.get(kind=Order.Kind.UPGRADE)
    assert upgrade.organisation == upgrading.organisation
    note = Invoice.objects.get(kind=Invoice.Kind.CREDIT_NOTE)
    assert note.order == upgrade
    (due,) = renewals_due(organisation=renewing.organisation)
    assert due.days_left == 25
    assert due.pricing.partner_discount_percent == Decimal("30.00")
    assert Order.objects.count() == 4  # first sale, Essential and its upgrade, Pro
    assert "first sale" in out.getvalue()
