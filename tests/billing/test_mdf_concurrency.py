"""Marketing development funds under concurrency (SPEC §3.11): requests submitted at once
are taken one at a time under the budget's row lock; together they never hold more than
the budget, and the remaining budget never goes below zero. Real PostgreSQL, one
connection per thread."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from decimal import Decimal

import pytest
from django.db import connection
from django.db.models import Sum

from billing.models import MdfRequest
from billing.selectors.mdf import budget_summary
from billing.services.mdf import mdf_request_submit
from portal.errors import DomainError
from tests.billing.conftest import make_partner
from tests.billing.mdf_support import budget_for, request_body
from tests.tenancy_support import observer

WORKERS = 12


@pytest.mark.django_db(transaction=True)
def test_requests_submitted_at_once_never_overspend_the_budget(vates_committed):
    # Given an eligible partner with 10,000 EUR
    tenant = make_partner(vates_committed, type_code="distributor", tier=1)
    budget = budget_for(tenant.organisation, "10000.00")
    start = threading.Barrier(WORKERS)

    # When 30 requests of 700 EUR are submitted, 12 at a time (at most 14 fit)
    def submit(n: int) -> str:
        try:
            if n < WORKERS:
                start.wait(timeout=30)
            with observer():
                mdf_request_submit(
                    organisation=tenant.organisation,
                    actor=None,
                    role="admin",
                    data=request_body("700.00", activity=f"Event {n}"),
                )
            return "accepted"
        except DomainError as refused:
            return refused.code
        finally:
            connection.close()

    with ThreadPoolExecutor(max_workers=WORKERS) as pool:
        accepted = list(pool.map(submit, range(30)))

    # Then exactly 14 were accepted and the remaining 200 EUR is all that is left
    assert sorted(set(accepted)) == ["accepted", "over_budget"]
    assert accepted.count("accepted") == 14
    with observer():
        held = MdfRequest.objects.filter(budget=budget).aggregate(total=Sum("cost"))["total"]
        summary = budget_summary(budget)
    assert held == Decimal("9800.00")
    assert summary.committed == Decimal("9800.00")
    assert summary.remaining == Decimal("200.00")
