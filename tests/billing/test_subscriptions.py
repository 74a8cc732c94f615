"""Cancelling a monthly subscription (billing.services.subscriptions): the month already
billed runs to its end, no later month is invoiced, the licences expire after it; a
yearly order is not a subscription. Through the API and the order's page."""

from __future__ import annotations

import datetime

import pytest
from django.core import mail

from billing.models import Invoice, Order
from billing.services.periods import period_invoices_issue
from billing.services.subscriptions import (
    subscription_cancel,
    subscription_cancel_for_partner,
    subscription_resume,
)
from licensing.models import Licence
from licensing.services.expiry import licence_reminders_send, licences_expire
from portal.errors import Conflict, NotFound
from portal.models import AuditEvent
from tests.billing.factories import place_order
from tests.tenancy_support import observer

pytestmark = pytest.mark.django_db

FR_VAT = "FR40303265045"
DAY = datetime.timedelta(days=1)


def invoices(order) -> list[Invoice]:
    with observer():
        return list(Invoice.objects.filter(order=order).order_by("period_start"))


def licence_of(order) -> Licence:
    with observer():
        return Licence.objects.get(pk=order.lines.get().licence_id)


def cancel_url(order) -> str:
    return f"/api/v1/orders/{order.pk}/cancel-subscription"


def resume_url(order) -> str:
    return f"/api/v1/orders/{order.pk}/resume-subscription"


def test_a_cancelled_subscription_runs_to_the_end_of_the_month_billed_then_stops(
    partner, django_capture_on_commit_callbacks
):
    # Given a monthly subscription in its second month
    reseller = partner("reseller", country="FR", vat_number=FR_VAT)
    order = place_order(reseller.organisation, billing_period="monthly")
    start = invoices(order)[0].period_start
    second_month = start + datetime.timedelta(days=40)
    assert period_invoices_issue(today=second_month) == 1
    billed = invoices(order)[-1]
    mail.outbox.clear()

    # When its administrator cancels it
    with observer(), django_capture_on_commit_callbacks(execute=True):
        cancelled = subscription_cancel(
            organisation=reseller.organisation,
            order=order,
            actor=reseller.admin,
            role="admin",
            today=second_month,
        )

    # Then it ends with the month already billed, and says so
    assert cancelled.subscription_end == billed.period_end
    assert licence_of(order).ends_on == billed.period_end
    assert [m.subject for m in mail.outbox] == [
        f"Subscription {order.reference} cancelled: it ends on "
        f"{billed.period_end.day} {billed.period_end:%B %Y}"
    ]
    with observer():
        event = AuditEvent.objects.get(action="order.subscription_cancelled")
    assert event.after == {"subscription_end": billed.period_end.isoformat()}
    # ...no later month is billed, however often the job runs
    months_later = second_month + datetime.timedelta(days=90)
    assert period_invoices_issue(today=months_later) == 0
    assert invoices(order)[-1] == billed
    # ...and the licences expire the day after its end
    with observer():
        assert licences_expire(today=billed.period_end) == 0
        assert licences_expire(today=billed.period_end + DAY) == 1
    assert licence_of(order).status == Licence.Status.EXPIRED


def test_a_subscription_is_cancelled_once_and_a_yearly_order_is_not_one(partner):
    reseller = partner("reseller", country="FR", vat_number=FR_VAT)
    monthly = place_order(reseller.organisation, billing_period="monthly")
    yearly = place_order(reseller.organisation, billing_period="yearly")
    api = reseller.api()

    first = api.post(cancel_url(monthly))
    again = api.post(cancel_url(monthly))
    refused = api.post(cancel_url(yearly))

    assert first.status_code == 200
    assert first.json()["subscription_end"] == invoices(monthly)[0].period_end.isoformat()
    assert again.status_code == 409
    assert again.json()["code"] == "subscription_cancelled"
    assert refused.status_code == 409
    assert refused.json()["code"] == "not_a_subscription"
    with observer():
        assert Order.objects.get(pk=yearly.pk).subscription_end is None
        assert AuditEvent.objects.filter(action="order.subscription_cancelled").count() == 1


def test_only_buyers_cancel_and_never_someone_elses_subscription(partner):
    from django.test import Client

    from tests.partners.factories_team import member_of

    reseller = partner("reseller", country="FR", vat_number=FR_VAT)
    order = place_order(reseller.organisation, billing_period="monthly")
    other = partner("reseller", country="FR", vat_number=FR_VAT)
    technical = Client()
    technical.force_login(member_of(reseller, role="technical").user)

    # A technical member may read the order, not cancel it; another partner finds nothing
    assert technical.get(f"/space/orders/{order.pk}/").status_code == 200
    assert technical.post(f"/space/orders/{order.pk}/subscription/cancel/").status_code == 403
    assert other.api().post(cancel_url(order)).status_code == 404
    assert other.browser().post(f"/space/orders/{order.pk}/subscription/cancel/").status_code == 404
    with observer(), pytest.raises(NotFound):
        subscription_cancel(
            organisation=other.organisation, order=order, actor=other.admin, role="admin"
        )
    with observer():
        assert Order.objects.get(pk=order.pk).subscription_end is None


def test_the_running_subscription_gets_no_monthly_expiry_reminder_its_end_does(partner):
    # A running monthly licence always ends within the month: that is not news
    reseller = partner("reseller", country="FR", vat_number=FR_VAT)
    order = place_order(reseller.organisation, billing_period="monthly")
    end = licence_of(order).ends_on
    with observer():
        assert licence_reminders_send(today=end - 10 * DAY) == 0
        subscription_cancel(
            organisation=reseller.organisation,
            order=order,
            actor=reseller.admin,
            role="admin",
            today=end - 10 * DAY,
        )
        # Cancelled, its end is: the partner is told once
        assert licence_reminders_send(today=end - 9 * DAY) == 1
        assert licence_reminders_send(today=end - 8 * DAY) == 0


def test_the_order_page_offers_the_cancellation_and_then_shows_the_end(partner):
    reseller = partner("reseller", country="FR", vat_number=FR_VAT)
    order = place_order(reseller.organisation, billing_period="monthly")
    browser = reseller.browser()
    page = browser.get(f"/space/orders/{order.pk}/").content.decode()
    assert "the next month is invoiced on" in page
    assert f"/space/orders/{order.pk}/subscription/cancel/" in page

    done = browser.post(f"/space/orders/{order.pk}/subscription/cancel/", follow=True)

    page = done.content.decode()
    assert "The subscription is cancelled" in page
    assert "no later month is billed" in page
    assert f"/space/orders/{order.pk}/subscription/cancel/" not in page
    assert f"/space/orders/{order.pk}/subscription/resume/" in page
    assert browser.get(f"/space/orders/{order.pk}/subscription/cancel/").status_code == 405
    assert browser.post(f"/space/orders/{order.pk}/subscription/stop/").status_code == 404

    # Taken back from the same page
    kept = browser.post(f"/space/orders/{order.pk}/subscription/resume/", follow=True)
    page = kept.content.decode()
    assert "The subscription runs on" in page
    assert f"/space/orders/{order.pk}/subscription/cancel/" in page


def test_a_cancellation_is_taken_back_before_the_end_not_after(
    partner, django_capture_on_commit_callbacks
):
    reseller = partner("reseller", country="FR", vat_number=FR_VAT)
    order = place_order(reseller.organisation, billing_period="monthly")
    end = invoices(order)[0].period_end
    api = reseller.api()

    assert api.post(resume_url(order)).json()["code"] == "subscription_running"
    assert api.post(cancel_url(order)).status_code == 200
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        resumed = api.post(resume_url(order))
    assert resumed.status_code == 200
    assert resumed.json()["subscription_end"] is None
    assert [m.subject for m in mail.outbox] == [
        f"Subscription {order.reference} resumed: it is billed monthly again"
    ]
    # ...so the next month is billed
    assert period_invoices_issue(today=end + DAY) == 1

    # A subscription that has ended stays ended
    assert api.post(cancel_url(order)).status_code == 200
    ended_on = invoices(order)[-1].period_end
    with observer(), pytest.raises(Conflict) as refused:
        subscription_resume(
            organisation=reseller.organisation,
            order=order,
            actor=reseller.admin,
            role="admin",
            today=ended_on + DAY,
        )
    assert refused.value.code == "subscription_ended"
    with observer():
        actions = list(
            AuditEvent.objects.filter(action__startswith="order.subscription_")
            .order_by("id")
            .values_list("action", flat=True)
        )
    assert actions == [
        "order.subscription_cancelled",
        "order.subscription_resumed",
        "order.subscription_cancelled",
    ]


def test_the_channel_team_cancels_for_a_partner_with_the_permission(partner):
    from django.test import Client

    from portal.errors import Forbidden
    from tests.factories import staff_user

    reseller = partner("reseller", country="FR", vat_number=FR_VAT)
    order = place_order(reseller.organisation, billing_period="monthly")
    changelist = "/admin/billing/order/"
    action = {"action": "cancel_subscriptions", "_selected_action": [str(order.pk)]}

    # Without the permission: not offered, and refused whoever calls
    reader = staff_user("billing.view_order")
    viewer = Client()
    viewer.force_login(reader)
    assert "cancel_subscriptions" not in viewer.get(changelist).content.decode()
    viewer.post(changelist, action)
    with observer(), pytest.raises(Forbidden):
        subscription_cancel_for_partner(actor=reader, order=order)
    with observer():
        assert Order.objects.get(pk=order.pk).subscription_end is None

    # With it (channel finance holds it): the same cancellation, by the staff member
    finance = staff_user("billing.view_order", "billing.cancel_subscriptions")
    team = Client()
    team.force_login(finance)
    assert "cancel_subscriptions" in team.get(changelist).content.decode()
    done = team.post(changelist, action, follow=True)
    assert "cancelled; its licences run to" in done.content.decode()
    with observer():
        cancelled = Order.objects.get(pk=order.pk)
        event = AuditEvent.objects.get(action="order.subscription_cancelled")
    assert cancelled.subscription_end == invoices(order)[0].period_end
    assert event.actor == finance
