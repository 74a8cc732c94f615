"""The demo's marketing funds (billing.demo_mdf): Northwind's budget and a request in
review, made through the services, once."""

from __future__ import annotations

import io
from decimal import Decimal

import pytest

from billing.demo_mdf import seed_mdf
from billing.models import MdfBudget, MdfRequest
from portal.tenancy.context import system_context
from tests.billing.conftest import make_partner
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_the_demo_budget_and_request_are_made_once(vates):
    northwind = make_partner(vates, type_code="distributor", tier=2, name="Northwind Distribution")
    UserFactory(email="staff@vendor.example", is_staff=True, is_superuser=True)
    for _ in range(2):
        with system_context("command:seed_demo"):
            seed_mdf(io.StringIO())
    with system_context("command:seed_demo"):
        budget = MdfBudget.objects.get(organisation=northwind.organisation)
        request = MdfRequest.objects.get()
    assert (budget.amount, budget.currency) == (Decimal("10000.00"), "EUR")
    assert request.status == MdfRequest.Status.SUBMITTED
    assert request.budget == budget
