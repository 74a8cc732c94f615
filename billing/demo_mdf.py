"""The demo's marketing development funds (issue 12's "done means"), through the services:
Northwind Distribution (a distributor: eligible from tier 1) gets a budget of 10,000 EUR
for this year, set by the channel team, and has one request awaiting review, so that the
page, the API and the admin's review queue show them.

Idempotent: the budget is set only when the year has none, and the request is submitted
only when the budget has none. Runs in ``seed_demo``'s system context."""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.utils import timezone

from billing.models import MdfBudget, MdfRequest
from billing.services.mdf import mdf_budget_set, mdf_request_submit
from partners import roles
from partners.models import Membership, Organisation

NORTHWIND = "Northwind Distribution"
BUDGET = Decimal("10000.00")
CURRENCY = "EUR"


def seed_mdf(stdout) -> None:
    organisation = Organisation.objects.filter(name=NORTHWIND).first()
    staff = get_user_model().objects.filter(email="staff@vendor.example").first()
    if organisation is None or staff is None:
        stdout.write("  billing: no marketing funds demo (Northwind or the channel team missing)")
        return
    year = timezone.localdate().year
    budget = MdfBudget.objects.filter(organisation=organisation, year=year).first()
    added = []
    if budget is None:
        budget = mdf_budget_set(
            actor=staff, organisation=organisation, year=year, amount=BUDGET, currency=CURRENCY
        )
        added.append("a budget")
    if not MdfRequest.objects.filter(budget=budget).exists():
        admin = (
            Membership.objects.filter(organisation=organisation, role=roles.ADMIN)
            .select_related("user")
            .order_by("created_at", "pk")
            .first()
        )
        start = timezone.localdate() + datetime.timedelta(days=30)
        mdf_request_submit(
            organisation=organisation,
            actor=admin.user if admin else None,
            role=roles.ADMIN,
            data={
                "activity": "Partner enablement day, Hamburg",
                "start_date": start,
                "end_date": start,
                "cost": Decimal("2500.00"),
                "expected_result": "30 resellers trained on Vates VMS; 10 new opportunities "
                "registered within a quarter.",
            },
        )
        added.append("a request in review")
    stdout.write(f"  billing: marketing funds demo: {', '.join(added) or 'already there'}")
