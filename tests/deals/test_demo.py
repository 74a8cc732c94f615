"""seed_demo: deal registrations in every status for the demo partners, one in conflict
and one whose protection ends this week; a second run adds nothing."""

from datetime import timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone

from billing.models import Order
from deals.models import Deal, ReferralFee
from pes.quarters import Quarter


@pytest.mark.django_db
def test_seed_demo_leaves_deals_in_every_status():
    call_command("seed_demo")
    first = sorted(Deal.objects.values_list("reference", "status", "customer_domain"))
    call_command("seed_demo")

    assert sorted(Deal.objects.values_list("reference", "status", "customer_domain")) == first
    assert {status for _, status, _ in first} == set(Deal.Status.values)
    conflict = Deal.objects.get(status=Deal.Status.CONFLICT)
    holder = Deal.objects.get(
        status=Deal.Status.APPROVED,
        customer_domain=conflict.customer_domain,
        product=conflict.product,
    )
    assert holder.organisation != conflict.organisation
    week = timezone.localdate() + timedelta(days=7)
    assert Deal.objects.filter(status=Deal.Status.APPROVED, protected_until__lte=week).exists()
    assert Deal.objects.values("organisation").distinct().count() == 3
    # A registered customer bought online: Northwind has a referral fee to invoice (once).
    fee = ReferralFee.objects.get()
    assert fee.deal.organisation.name == "Northwind Distribution"
    assert fee.fee_amount == fee.list_amount * fee.discount_percent / 100
    # References follow the submission dates (the past quarters' deals, back-filled by
    # pes.demo_history after these, took the numbers that followed).
    present = Deal.objects.exclude(
        pk__in=Order.objects.filter(
            created_at__date__lt=Quarter.containing(timezone.localdate()).start,
            deal__isnull=False,
        ).values("deal")
    )
    by_date = list(present.order_by("submitted_at").values_list("reference", flat=True))
    assert by_date == sorted(by_date)
