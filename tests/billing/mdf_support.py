"""Marketing development funds in tests: budgets, requests and the channel team's
accounts that decide."""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.utils import timezone

from billing.services.mdf import mdf_budget_set, mdf_request_submit
from tests.factories import staff_user
from tests.tenancy_support import observer

REVIEWER_PERMISSIONS = ("billing.review_mdf", "billing.view_mdfrequest", "billing.pay_mdf")


def reviewer(**fields):
    return staff_user(*REVIEWER_PERMISSIONS, **fields)


def budget_for(organisation, amount: str = "10000.00", currency: str = "EUR"):
    with observer():
        return mdf_budget_set(
            actor=staff_user("billing.set_mdf_budgets"),
            organisation=organisation,
            year=timezone.localdate().year,
            amount=Decimal(amount),
            currency=currency,
        )


def request_body(cost: str = "1000.00", **fields) -> dict:
    today = timezone.localdate()
    return {
        "activity": "Webinar series",
        "start_date": (today + datetime.timedelta(days=10)).isoformat(),
        "end_date": (today + datetime.timedelta(days=20)).isoformat(),
        "cost": cost,
        "expected_result": "40 qualified leads",
        **fields,
    }


def submitted(tenant, cost: str = "1000.00"):
    with observer():
        return mdf_request_submit(
            organisation=tenant.organisation,
            actor=tenant.admin,
            role="admin",
            data=request_body(cost),
        )
