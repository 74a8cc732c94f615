"""Deal blocking under concurrency, on real PostgreSQL: approvals racing for one
opportunity cannot both succeed, and submissions racing for references never share one."""

from __future__ import annotations

import threading
import time

import pytest
from django.db import IntegrityError, connection
from django.test import Client

from deals.models import Deal
from deals.services import review as review_services
from tests.deals.factories import make_deal, payload, product_for
from tests.factories import OrganisationFactory, staff_user
from tests.tenancy_support import observer

API = "/api/v1/deals"
RACERS = 6


def _run_together(work, items) -> None:
    barrier = threading.Barrier(len(items))

    def run(item):
        try:
            barrier.wait(timeout=10)
            work(item)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(item,)) for item in items]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)


@pytest.mark.django_db(transaction=True)
def test_concurrent_approvals_for_one_opportunity_approve_exactly_one(monkeypatch):
    # Given six partners' registrations of the same customer and product, none approved
    first = OrganisationFactory()
    product = product_for(first)
    organisations = [first, *(OrganisationFactory() for _ in range(RACERS - 1))]
    deals = [
        make_deal(organisation, domain="contested.example", product=product)
        for organisation in organisations
    ]
    # Each approval looks for a holder, finds none, and waits a moment before writing, so
    # that all of them have looked before any has written: only the database can decide.
    looked_up = review_services.opportunity_holder

    def slow_lookup(**kwargs):
        found = looked_up(**kwargs)
        time.sleep(0.3)
        return found

    monkeypatch.setattr(review_services, "opportunity_holder", slow_lookup)
    reviewer = staff_user("deals.review_deal")
    clients = {}
    for deal in deals:
        clients[deal.pk] = Client(raise_request_exception=False)
        clients[deal.pk].force_login(reviewer)
    outcomes: dict[str, tuple[int, str]] = {}

    def approve(deal):
        response = clients[deal.pk].post(f"{API}/{deal.pk}/approve")
        outcomes[str(deal.pk)] = (response.status_code, response.content.decode())

    # When the channel team approves all six at once
    _run_together(approve, deals)

    # Then exactly one is approved; the others are a clean conflict, never a 500, and no
    # answer carries the database's words
    statuses = sorted(status for status, _ in outcomes.values())
    assert statuses == [200] + [409] * (RACERS - 1), outcomes
    for status, body in outcomes.values():
        assert "duplicate key" not in body
        assert "deal_one_holder_per_opportunity" not in body
        assert "IntegrityError" not in body
        if status == 409:
            assert '"code":"opportunity_held"' in body.replace(" ", "")
    with observer():
        assert Deal.objects.filter(status=Deal.Status.APPROVED).count() == 1
        # the others are flagged in conflict by the one approved
        assert Deal.objects.filter(status=Deal.Status.CONFLICT).count() == RACERS - 1


@pytest.mark.django_db(transaction=True)
def test_concurrent_submissions_take_consecutive_references(tenants_committed):
    # Given the three partners, each with an API client
    product_for(tenants_committed.alice.organisation)
    clients = [tenant.api() for tenant in tenants_committed for _ in range(2)]
    answers: list[int] = []

    def submit(n):
        client = clients[n]
        body = payload(customer_domain=f"racer{n}.example")
        answers.append(client.post(API, body, format="json").status_code)

    # When six registrations are submitted at once
    _run_together(submit, list(range(len(clients))))

    # Then each got its own reference, and they follow each other without a gap
    assert answers == [201] * len(clients)
    with observer():
        numbers = sorted(
            int(r.rsplit("-", 1)[1]) for r in Deal.objects.values_list("reference", flat=True)
        )
    assert numbers == list(range(numbers[0], numbers[0] + len(clients)))


@pytest.mark.django_db
def test_the_database_itself_refuses_a_second_holder(tenants):
    # Given alice's approved registration of an opportunity, and bob's of the same one
    product = product_for(tenants.alice.organisation)
    make_deal(tenants.alice.organisation, status="approved", domain="one.example", product=product)
    bobs = make_deal(tenants.bob.organisation, domain="one.example", product=product)
    # When anything writes bob's as approved around the services, the index refuses it
    with pytest.raises(IntegrityError, match="deal_one_holder_per_opportunity"), observer():
        Deal.objects.filter(pk=bobs.pk).update(status="approved", protected_until="2030-01-01")
