"""Renewals (SPEC §3.3, §3.5): a customer's yearly licence is renewed for another term,
priced at the current rules (a tier change applies at renewal, never to a running term);
the partner is reminded 30 and 7 days before the end, once each."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.conf import settings
from django.core import mail

from billing.models import CreditEntry, Invoice, Order, RenewalReminder
from billing.services.renewals import licence_renew, renewal_prepare, renewal_reminders_send
from billing.tasks import remind_renewals
from licensing.models import Licence, LicenceEvent
from licensing.services.licences import add_months
from partners.models import Organisation, Tier
from portal.errors import DomainError
from portal.tenancy.context import SYSTEM_CONTEXTS
from tests.billing.credit_support import xo_order_body
from tests.billing.licence_sale_support import DE_VAT, invoice_of, sell
from tests.partners.factories_team import member_of
from tests.tenancy_support import observer

pytestmark = pytest.mark.django_db

D = Decimal
DAY = datetime.timedelta(days=1)


def renew(tenant, licence, *, today=None) -> Order:
    with observer():
        return licence_renew(
            organisation=tenant.organisation,
            actor=tenant.admin,
            role="admin",
            licence_id=licence.pk,
            today=today,
        ).order


def move_to_tier(tenant, level: int) -> None:
    with observer():
        tier = Tier.objects.get(partner_type=tenant.organisation.partner_type, level=level)
        Organisation.objects.filter(pk=tenant.organisation.pk).update(tier=tier)
    tenant.organisation.refresh_from_db()


def test_a_renewal_is_priced_at_the_new_tiers_discount_and_extends_the_licence(partner):
    # Given Pro x 3 sold by a tier-1 reseller (10%: $2,700), which has since reached tier 3
    reseller = partner("reseller", tier=1, country="DE", vat_number=DE_VAT)
    sale, licence = sell(reseller, "pro", 3)
    ends_on = licence.ends_on
    move_to_tier(reseller, 3)

    # When the licence is renewed 20 days before it ends
    order = renew(reseller, licence, today=ends_on - 20 * DAY)

    # Then the renewal is at 30% ($2,100), the running term's order unchanged
    assert order.kind == Order.Kind.RENEWAL
    assert (order.partner_discount, order.net_amount) == (D("900.00"), D("2100.00"))
    with observer():
        sale.refresh_from_db()
    assert sale.net_amount == D("2700.00")
    # ...its invoice bills the next term, which follows on from the current one
    invoice = invoice_of(order)
    assert invoice.purpose == Invoice.Purpose.RENEWAL
    assert invoice.period_start == ends_on + DAY
    assert invoice.period_end == add_months(ends_on + DAY, 12) - DAY
    # ...and the licence now runs to the end of that term
    with observer():
        licence.refresh_from_db()
        assert licence.ends_on == invoice.period_end
        assert licence.events.filter(kind=LicenceEvent.Kind.RENEWED).count() == 1
        assert order.lines.get().licence_id == licence.pk

    # A second renewal waits for the new term's window
    with pytest.raises(DomainError) as refused:
        renew(reseller, licence, today=ends_on - 19 * DAY)
    assert refused.value.code == "renewal_not_due"


def test_the_renewal_window(partner):
    reseller = partner("reseller", tier=1, country="DE", vat_number=DE_VAT)
    _sale, licence = sell(reseller, "pro", 3)
    with pytest.raises(DomainError, match="can be renewed from"):
        renew(reseller, licence, today=licence.ends_on - 61 * DAY)
    with pytest.raises(DomainError) as refused:
        renew(reseller, licence, today=licence.ends_on + 31 * DAY)
    assert refused.value.code == "renewal_too_late"

    # An expired licence is renewed within the grace period, without a gap
    with observer():
        Licence.objects.filter(pk=licence.pk).update(status=Licence.Status.EXPIRED)
    ends_on = licence.ends_on
    order = renew(reseller, licence, today=ends_on + 10 * DAY)
    assert invoice_of(order).period_start == ends_on + DAY


def test_a_renewal_spends_the_first_sale_balance(xo_partner):
    # Given a Xen Orchestra reseller whose first sale (Starter) earned $300
    reseller = xo_partner()
    with observer():
        from billing.services.orders import order_place

        first = order_place(
            organisation=reseller.organisation, actor=None, role="admin", data=xo_order_body()
        ).order
    licence = first.lines.get().licence

    # When it renews that licence ($1,500 less 20% = $1,200)
    order = renew(reseller, licence, today=licence.ends_on - 30 * DAY)

    # Then the balance pays $300 of it
    assert (order.partner_discount, order.credit_applied, order.net_amount) == (
        D("300.00"),
        D("300.00"),
        D("900.00"),
    )
    with observer():
        spent = CreditEntry.objects.get(kind="spent")
    assert spent.order == order


def test_the_preview_is_the_renewals_price(partner):
    reseller = partner("reseller", tier=2, country="DE", vat_number=DE_VAT)
    _sale, licence = sell(reseller, "essential", 2)
    with observer():
        plan = renewal_prepare(
            organisation=reseller.organisation,
            licence=Licence.objects.get(pk=licence.pk),
            today=licence.ends_on - 5 * DAY,
        )
    assert (plan.pricing.list_amount, plan.pricing.net_amount) == (D("2000.00"), D("1600.00"))
    assert plan.starts_on == licence.ends_on + DAY


def test_partners_are_reminded_30_and_7_days_before_once_each(
    partner, django_capture_on_commit_callbacks
):
    # Given two licences sold (one of them Essential at 20%: $1,600), and members of
    # every role
    reseller = partner("reseller", tier=2, country="DE", vat_number=DE_VAT)
    _sale, licence = sell(reseller, "essential", 2)
    _sale, _other = sell(reseller, "pro", 3, customer_name="Other Customer")
    members = {role: member_of(reseller, role=role) for role in ("sales", "technical", "finance")}
    ends_on = licence.ends_on
    mail.outbox.clear()

    def run(days_before: int) -> int:
        with observer(), django_capture_on_commit_callbacks(execute=True):
            return renewal_reminders_send(today=ends_on - days_before * DAY)

    # When the daily job runs 31, 30 (twice), 20, 7 and 5 days before the end
    counts = [run(31), run(30), run(30), run(20), run(7), run(5)]

    # Then each licence is reminded at 30 and at 7 days, once each
    assert counts == [0, 2, 0, 0, 2, 0]
    recipients = sorted({message.to[0] for message in mail.outbox})
    assert recipients == sorted([reseller.admin.email, members["sales"].user.email])
    assert len(mail.outbox) == 4  # two runs, each one email to each of the two
    first = mail.outbox[0]
    assert "2 licences due for renewal" in first.subject
    assert "Essential x 2" in first.body
    assert "Other Customer" in first.body
    assert "1,600.00 USD" in first.body
    assert "/space/renewals/" in first.body
    with observer():
        stages = sorted(RenewalReminder.objects.values_list("stage", flat=True))
    assert stages == [7, 7, 30, 30]

    # A renewed licence is reminded again before its new end
    renew(reseller, licence, today=ends_on - 5 * DAY)
    with observer():
        licence.refresh_from_db()
    mail.outbox.clear()
    with observer(), django_capture_on_commit_callbacks(execute=True):
        assert renewal_reminders_send(today=licence.ends_on - 30 * DAY) == 1


def test_a_licence_found_late_is_reminded_once_at_the_stage_it_reached(
    partner, django_capture_on_commit_callbacks
):
    reseller = partner("reseller", tier=2, country="DE", vat_number=DE_VAT)
    _sale, licence = sell(reseller, "pro", 3)
    with observer(), django_capture_on_commit_callbacks(execute=True):
        assert renewal_reminders_send(today=licence.ends_on - 5 * DAY) == 1
        assert renewal_reminders_send(today=licence.ends_on - 4 * DAY) == 0
    with observer():
        assert list(RenewalReminder.objects.values_list("stage", flat=True)) == [7]


def test_a_sold_licence_gets_the_renewal_reminder_and_not_the_expiry_one_too(
    partner, django_capture_on_commit_callbacks
):
    # Given a yearly licence sold through an order, and one issued without a sale
    from licensing.services.expiry import licence_reminders_send
    from tests.licensing.factories import issue_licence

    reseller = partner("reseller", tier=2, country="DE", vat_number=DE_VAT)
    _sale, sold = sell(reseller, "pro", 3)
    with observer():
        unsold = issue_licence(
            reseller.organisation,
            ends_on=sold.ends_on,
            billing_period="yearly",
            customer_name="Unsold Customer GmbH",
        )
    mail.outbox.clear()

    # When both daily jobs run 30 days before their end
    with observer(), django_capture_on_commit_callbacks(execute=True):
        today = sold.ends_on - 30 * DAY
        renewals, expiries = (
            renewal_reminders_send(today=today),
            licence_reminders_send(today=today),
        )

    # Then the sold one is in the renewal email only, the other in the expiry email
    assert (renewals, expiries) == (1, 1)
    renewal_bodies = [m.body for m in mail.outbox if "renewal" in m.subject.lower()]
    expiry_bodies = [m.body for m in mail.outbox if "renewal" not in m.subject.lower()]
    assert renewal_bodies
    assert expiry_bodies
    assert all(sold.customer_name in body for body in renewal_bodies)
    assert all("Unsold Customer GmbH" not in body for body in renewal_bodies)
    assert all(unsold.customer_name in body for body in expiry_bodies)
    assert all(sold.customer_name not in body for body in expiry_bodies)


def test_the_beat_jobs_run_in_their_named_system_contexts(partner):
    schedule = settings.CELERY_BEAT_SCHEDULE
    assert schedule["remind-renewals"]["task"] == "billing.remind_renewals"
    assert schedule["expire-credits"]["task"] == "billing.expire_credits"
    assert "task:billing.remind_renewals" in SYSTEM_CONTEXTS
    assert "task:billing.expire_credits" in SYSTEM_CONTEXTS
    from billing.tasks import expire_credits

    assert remind_renewals.tenancy == expire_credits.tenancy == "system"
    assert remind_renewals.apply().get() == 0
    assert expire_credits.apply().get() == 0
