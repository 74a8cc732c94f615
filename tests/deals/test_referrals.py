"""Issue 9: referral leads earn the programme's commission on the sale they become, listed
on a commission statement (page, API, CSV); a registered customer who buys online earns
the partner a referral fee equal to its discount off list, which it invoices with the note
"Referral fee for deal registration <reference>"; the channel team approves and pays it."""

from __future__ import annotations

import csv
import io
from datetime import timedelta
from decimal import Decimal

from django.contrib.auth.models import Group
from django.core import mail
from django.test import Client
from django.utils import timezone

from deals.models import Deal, ReferralFee, ReferralLead
from partners.models import DiscountRule, PartnerType
from portal.staff_groups import CHANNEL_FINANCE, CHANNEL_REVIEWER
from tests.deals.factories import make_deal, make_lead
from tests.factories import UserFactory
from tests.tenancy_support import observer


def _staff(group: str) -> Client:
    user = UserFactory(is_staff=True)
    user.groups.add(Group.objects.get(name=group))
    client = Client()
    client.force_login(user)
    return client


def _earns(tenant, percent: str) -> None:
    with observer():
        PartnerType.objects.filter(pk=tenant.organisation.partner_type_id).update(
            commission_percent=Decimal(percent)
        )
    tenant.organisation.partner_type.refresh_from_db()


def _inbox(tenant) -> list:
    return [m for m in mail.outbox if m.to == [tenant.admin.email]]


LEAD = {
    "customer_name": "Lumière Cloud SA",
    "customer_domain": "https://www.lumiere-cloud.example/",
    "customer_country": "FR",
    "customer_email": "cto@lumiere-cloud.example",
    "notes": "Wants OpenNebula support for 200 nodes.",
}


def test_a_lead_becomes_a_sale_and_its_commission_is_on_the_statement(
    tenants, django_capture_on_commit_callbacks
):
    # Given bob's partner type earns 12.5% on referred sales
    bob = tenants.bob
    _earns(bob, "12.5")
    api = bob.api()

    # When bob submits a lead
    created = api.post("/api/v1/referrals", LEAD, format="json")
    assert created.status_code == 201, created.content
    lead = created.json()
    assert lead["reference"].startswith("RL-")
    assert lead["customer_domain"] == "lumiere-cloud.example"

    # And the channel team's finance records the sale it became
    finance = _staff(CHANNEL_FINANCE)
    with django_capture_on_commit_callbacks(execute=True):
        sold = finance.post(
            f"/api/v1/referrals/{lead['id']}/record-sale",
            {"sale_date": timezone.localdate().isoformat(), "amount": "8000.10", "currency": "eur"},
            content_type="application/json",
        )

    # Then the commission is fixed at 12.5%, rounded half-up to the cent, and bob is told
    assert sold.status_code == 200, sold.content
    assert (sold.json()["commission_amount"], sold.json()["currency"]) == ("1000.01", "EUR")
    (message,) = _inbox(bob)
    assert "commission 1000.01 EUR" in message.subject
    # A later change of the programme's percent does not change a recorded commission
    _earns(bob, "50")
    statement = api.get("/api/v1/referrals/statement").json()
    assert statement["year"] == timezone.localdate().year
    assert [line["reference"] for line in statement["results"]] == [lead["reference"]]
    assert statement["totals"] == [
        {"currency": "EUR", "sales": 1, "sale_amount": "8000.10", "commission_amount": "1000.01"}
    ]
    rows = list(
        csv.reader(io.StringIO(api.get("/api/v1/referrals/statement.csv").content.decode()))
    )
    assert rows[1][1] == lead["reference"]
    assert rows[-1][-1] == "1000.01"
    page = bob.browser().get("/space/referrals/statement/").content.decode()
    assert lead["reference"] in page
    assert "1,000.01 EUR" in page
    # And a sale is recorded once
    again = finance.post(
        f"/api/v1/referrals/{lead['id']}/record-sale",
        {"sale_date": timezone.localdate().isoformat(), "amount": "1", "currency": "EUR"},
        content_type="application/json",
    )
    assert again.status_code == 409


def test_a_partner_that_earns_no_commission_cannot_submit_leads(tenants):
    response = tenants.alice.api().post("/api/v1/referrals", LEAD, format="json")
    assert (response.status_code, response.json()["code"]) == (400, "no_commission")
    page = tenants.alice.browser().get("/space/referrals/").content.decode()
    assert "earns no referral commission" in page
    assert 'name="customer_email"' not in page


def test_the_referral_page_submits_a_lead_and_a_declined_one_says_why(
    tenants, django_capture_on_commit_callbacks
):
    bob = tenants.bob
    _earns(bob, "10")
    browser = bob.browser()
    response = browser.post("/space/referrals/", {**LEAD, "customer_domain": "lumiere.example"})
    assert response.status_code == 302
    with observer():
        lead = ReferralLead.objects.get(organisation=bob.organisation)
    with django_capture_on_commit_callbacks(execute=True):
        declined = _staff(CHANNEL_FINANCE).post(
            f"/api/v1/referrals/{lead.pk}/decline",
            {"reason": "Already a customer of ours."},
            content_type="application/json",
        )
    assert declined.json()["status"] == "declined"
    assert "Already a customer of ours." in _inbox(bob)[-1].body
    assert "Already a customer of ours." in browser.get("/space/referrals/").content.decode()


def test_referral_steps_need_the_referral_permission(tenants):
    lead = make_lead(tenants.bob.organisation)
    reviewer = _staff(CHANNEL_REVIEWER)
    body = {"sale_date": timezone.localdate().isoformat(), "amount": "1", "currency": "EUR"}
    denied = reviewer.post(
        f"/api/v1/referrals/{lead.pk}/record-sale", body, content_type="application/json"
    )
    assert denied.status_code == 403
    assert (
        tenants.bob.api()
        .post(f"/api/v1/referrals/{lead.pk}/record-sale", body, format="json")
        .status_code
        == 403
    )


def test_the_statement_lists_only_the_years_sales(tenants):
    org = tenants.bob.organisation
    this = make_lead(org, status="converted")
    last = make_lead(org, status="converted", sale_date=timezone.localdate() - timedelta(days=400))
    make_lead(org)  # not a sale
    api = tenants.bob.api()
    lines = api.get("/api/v1/referrals/statement").json()["results"]
    assert [line["id"] for line in lines] == [str(this.pk)]
    year = last.sale_date.year
    assert [
        line["id"] for line in api.get(f"/api/v1/referrals/statement?year={year}").json()["results"]
    ] == [str(last.pk)]
    assert api.get("/api/v1/referrals/statement?year=1999").status_code == 400


# --- referral fees -----------------------------------------------------------------------------


def _discount(tenant, percent: str) -> None:
    with observer():
        DiscountRule.objects.create(
            programme_id=tenant.organisation.partner_type.programme_id,
            partner_type_id=tenant.organisation.partner_type_id,
            percent=Decimal(percent),
        )


def test_a_registered_customer_buying_online_earns_the_partner_its_discount_as_a_fee(
    tenants, django_capture_on_commit_callbacks
):
    # Given alice's approved registration and a 20% discount off list for her type
    alice = tenants.alice
    _discount(alice, "20")
    deal = make_deal(alice.organisation, status=Deal.Status.APPROVED, submitted_by=alice.admin)
    finance = _staff(CHANNEL_FINANCE)

    # When the channel team records that the customer bought online for 4,999.95 at list
    with django_capture_on_commit_callbacks(execute=True):
        opened = finance.post(
            f"/api/v1/deals/{deal.pk}/online-purchase",
            {
                "purchase_date": timezone.localdate().isoformat(),
                "list_amount": "4999.95",
                "currency": "USD",
            },
            content_type="application/json",
        )

    # Then the fee is the discount off list, and alice is told what to invoice
    assert opened.status_code == 201, opened.content
    fee = opened.json()
    note = f"Referral fee for deal registration {deal.reference}"
    assert (fee["fee_amount"], fee["discount_percent"], fee["invoice_note"]) == (
        "999.99",
        "20.00",
        note,
    )
    assert note in _inbox(alice)[-1].body
    history = alice.api().get(f"/api/v1/deals/{deal.pk}").json()["history"]
    assert history[-1]["kind"] == "online_purchase"
    # (the customer bought: the registration is neither won nor lost by the partner)
    won = alice.api().post(f"/api/v1/deals/{deal.pk}/won", {}, format="json")
    assert (won.status_code, won.json()["code"]) == (409, "bought_online")

    # When alice submits her invoice on the registration's page
    page = alice.browser().get(f"/space/deals/{deal.pk}/").content.decode()
    assert note in page
    assert "Mark won" not in page
    with django_capture_on_commit_callbacks(execute=True):
        sent = alice.browser().post(
            f"/space/deals/{deal.pk}/", {"action": "invoice", "invoice_number": "AD-2026-17"}
        )
    assert sent.status_code == 302
    assert "Referral fee invoice to approve" in mail.outbox[-1].subject

    # Then the channel team approves it and marks it paid, and alice hears of both
    with django_capture_on_commit_callbacks(execute=True):
        approved = finance.post(f"/api/v1/referral-fees/{fee['id']}/approve")
        paid = finance.post(
            f"/api/v1/referral-fees/{fee['id']}/mark-paid",
            {"payment_reference": "SEPA 4471"},
            content_type="application/json",
        )
    assert approved.json()["status"] == "approved"
    assert paid.json()["status"] == "paid"
    assert [m.subject for m in _inbox(alice)[-2:]] == [
        "Referral fee invoice AD-2026-17 approved",
        "Referral fee invoice AD-2026-17 paid",
    ]
    listed = alice.api().get("/api/v1/referral-fees").json()["results"]
    assert [(row["deal_reference"], row["status"]) for row in listed] == [(deal.reference, "paid")]


def test_a_fee_needs_an_approved_registration_a_discount_and_is_opened_once(tenants):
    alice = tenants.alice
    finance = _staff(CHANNEL_FINANCE)
    body = {
        "purchase_date": timezone.localdate().isoformat(),
        "list_amount": "100",
        "currency": "USD",
    }
    submitted = make_deal(alice.organisation)
    response = finance.post(
        f"/api/v1/deals/{submitted.pk}/online-purchase", body, content_type="application/json"
    )
    assert response.status_code == 409
    approved = make_deal(alice.organisation, status=Deal.Status.APPROVED)
    no_discount = finance.post(
        f"/api/v1/deals/{approved.pk}/online-purchase", body, content_type="application/json"
    )
    assert (no_discount.status_code, no_discount.json()["code"]) == (400, "no_discount")
    _discount(alice, "30")
    assert (
        finance.post(
            f"/api/v1/deals/{approved.pk}/online-purchase", body, content_type="application/json"
        ).status_code
        == 201
    )
    twice = finance.post(
        f"/api/v1/deals/{approved.pk}/online-purchase", body, content_type="application/json"
    )
    assert twice.status_code == 409
    with observer():
        fee = ReferralFee.objects.get(deal=approved)
    # Approving before the invoice is refused; the partner invoices once
    assert finance.post(f"/api/v1/referral-fees/{fee.pk}/approve").status_code == 409
    api = alice.api()
    assert (
        api.post(
            f"/api/v1/referral-fees/{fee.pk}/invoice", {"invoice_number": "1"}, format="json"
        ).status_code
        == 200
    )
    assert (
        api.post(
            f"/api/v1/referral-fees/{fee.pk}/invoice", {"invoice_number": "2"}, format="json"
        ).status_code
        == 409
    )
    # Another partner never sees it
    assert tenants.bob.api().get(f"/api/v1/referral-fees/{fee.pk}").status_code == 404


def test_the_admin_records_a_sale_and_a_purchase(tenants, django_capture_on_commit_callbacks):
    _earns(tenants.bob, "10")
    lead = make_lead(tenants.bob.organisation)
    _discount(tenants.alice, "50")
    deal = make_deal(tenants.alice.organisation, status=Deal.Status.APPROVED)
    finance = _staff(CHANNEL_FINANCE)
    assert (
        "record-sale"
        in finance.get(f"/admin/deals/referrallead/{lead.pk}/change/").content.decode()
    )
    today = timezone.localdate().isoformat()
    with django_capture_on_commit_callbacks(execute=True):
        response = finance.post(
            f"/admin/deals/referrallead/{lead.pk}/record-sale/",
            {"sale_date": today, "amount": "1000", "currency": "EUR"},
        )
        assert response.status_code == 302
        response = finance.post(
            f"/admin/deals/deal/{deal.pk}/online-purchase/",
            {"purchase_date": today, "list_amount": "2000", "currency": "USD"},
        )
        assert response.status_code == 302
    lead.refresh_from_db()
    assert lead.commission_amount == Decimal("100.00")
    with observer():
        assert ReferralFee.objects.get(deal=deal).fee_amount == Decimal("1000.00")
    # A reviewer without the referral permission is refused
    reviewer = _staff(CHANNEL_REVIEWER)
    assert (
        reviewer.post(f"/admin/deals/referrallead/{lead.pk}/decline/", {"reason": "x"}).status_code
        == 403
    )
