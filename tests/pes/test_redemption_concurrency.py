"""Applications to redeem points made at once are taken one at a time under the
organisation's points lock: together they never hold more than the balance. Real
PostgreSQL, one connection per thread."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.db import connection

from pes.selectors.score import redeemable_balance
from pes.services.redemptions import redemption_apply
from portal.errors import DomainError
from tests.billing.conftest import make_partner
from tests.pes.engagement_support import earned
from tests.tenancy_support import observer

WORKERS = 8


@pytest.mark.django_db(transaction=True)
def test_applications_at_once_never_overspend(vates_committed):
    # Given a partner with 100 points
    tenant = make_partner(vates_committed, type_code="distributor", tier=2)
    earned(tenant, 100)
    start = threading.Barrier(WORKERS)

    # When 8 applications of 40 points arrive at once (2 fit)
    def apply(n: int) -> str:
        try:
            start.wait(timeout=30)
            with observer():
                redemption_apply(
                    organisation=tenant.organisation,
                    actor=None,
                    role="admin",
                    data={"benefit": "extra-nfr"},
                )
            return "accepted"
        except DomainError as refused:
            return refused.code
        finally:
            connection.close()

    with ThreadPoolExecutor(max_workers=WORKERS) as pool:
        results = list(pool.map(apply, range(WORKERS)))

    # Then exactly two hold their points and 20 are left
    assert results.count("accepted") == 2
    assert set(results) == {"accepted", "over_balance"}
    with observer():
        assert redeemable_balance(organisation=tenant.organisation) == 20
