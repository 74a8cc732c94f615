"""Issue 9: a partner registers deals (API and pages): the customer named, its domain
normalised, the product from the catalogue, the embargo refused, a reference per year; a
registration for an opportunity another partner holds is accepted in conflict, and the
partner never learns who holds it."""

from __future__ import annotations

import csv
import io
import re
from datetime import timedelta

import pytest
from django.core import mail
from django.db import transaction
from django.utils import timezone

from deals.models import Deal, DealEvent
from deals.services.registrations import next_reference
from partners.models import EmbargoedTerritory, Membership
from portal.models import AuditEvent
from tests.deals.factories import make_deal, payload, product_for
from tests.factories import MembershipFactory
from tests.tenancy_support import observer

API = "/api/v1/deals"
REFERENCE = re.compile(r"^DR-\d{4}-\d{6}$")


@pytest.fixture
def catalogue(tenants):
    """The "pro" and "essential" products of the tenants' (shared) programme, and its
    embargo: Cuba, and Crimea of Ukraine."""
    programme = tenants.alice.organisation.partner_type.programme
    with observer():
        EmbargoedTerritory.objects.create(programme=programme, country="CU")
        EmbargoedTerritory.objects.create(
            programme=programme, country="UA", region_code="UA-43", region_name="Crimea"
        )
    return {
        "pro": product_for(tenants.alice.organisation),
        "essential": product_for(tenants.alice.organisation, "essential"),
    }


def _deals(**filters) -> list[Deal]:
    with observer():
        return list(Deal.objects.filter(**filters))


# --- registering ------------------------------------------------------------------------


def test_a_partner_registers_a_deal_and_both_sides_are_told(
    tenants, catalogue, django_capture_on_commit_callbacks
):
    # When alice's admin registers a deal with a web address as the domain
    with django_capture_on_commit_callbacks(execute=True):
        response = tenants.alice.api().post(API, payload(), format="json")

    # Then it is stored, normalised, with a reference and its history
    assert response.status_code == 201, response.content
    body = response.json()
    assert REFERENCE.match(body["reference"])
    assert body["status"] == "submitted"
    assert body["customer_domain"] == "acme-logistik.example"
    assert (body["product"], body["currency"]) == ("pro", "USD")  # the programme's currency
    assert body["protected_until"] is None
    assert [event["kind"] for event in body["history"]] == ["submitted"]
    (deal,) = _deals(organisation=tenants.alice.organisation)
    assert deal.submitted_by == tenants.alice.admin
    with observer():
        assert AuditEvent.objects.filter(action="deal.submitted", object_id=str(deal.pk)).exists()
    # And the partner has a receipt, the channel team a notice with the admin link
    receipts = {tuple(m.to): m for m in mail.outbox}
    assert body["reference"] in receipts[(tenants.alice.admin.email,)].subject
    notice = receipts[("channel-team@vendor.example",)]
    assert f"/admin/deals/deal/{deal.pk}/change/" in notice.body


def _reference_rolled_back(*, year: int) -> str:
    """A submission that took a number and then failed."""
    taken = []
    try:
        with transaction.atomic():
            taken.append(next_reference(year=year))
            raise RuntimeError("the submission failed")
    except RuntimeError:
        pass
    return taken[0]


def test_references_follow_each_other_within_a_year_and_a_rollback_gives_its_number_back(db):
    with observer():
        first = next_reference(year=2031)
        taken = _reference_rolled_back(year=2031)
        second = next_reference(year=2031)
        other_year = next_reference(year=2032)
    assert (first, taken, second) == ("DR-2031-000001", "DR-2031-000002", "DR-2031-000002")
    assert other_year == "DR-2032-000001"


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"customer_country": "CU"}, "customer_country"),
        ({"customer_country": "UA", "customer_region": "Crimea"}, "customer_region"),
        ({"customer_country": "UA", "customer_region": "ua-43"}, "customer_region"),
    ],
)
def test_embargoed_countries_and_regions_are_refused_at_submission(
    tenants, catalogue, changes, field
):
    response = tenants.alice.api().post(API, payload(**changes), format="json")
    assert response.status_code == 400
    assert response.json()["code"] == "embargoed"
    assert list(response.json()["fields"]) == [field]
    assert _deals() == []


def test_a_region_that_is_not_embargoed_passes(tenants, catalogue):
    body = payload(customer_country="UA", customer_region="Kyiv")
    assert tenants.alice.api().post(API, body, format="json").status_code == 201


def _without(key: str) -> dict:
    body = payload()
    del body[key]
    return body


@pytest.mark.parametrize(
    ("body", "field"),
    [
        (_without("customer_email"), "customer_email"),  # no anonymous sales
        (payload(customer_email=""), "customer_email"),
        (payload(customer_name="   "), "customer_name"),
        (payload(customer_domain="localhost"), "customer_domain"),
        (payload(customer_domain="192.0.2.7"), "customer_domain"),
        (payload(product="enterprise-gold"), "product"),
        (payload(estimated_value="-1"), "estimated_value"),
        (payload(estimated_value="NaN"), "estimated_value"),
        (payload(expected_close_date="2020-01-01"), "expected_close_date"),
        (payload(engagement_model="co_led"), "engagement_model"),  # split in two
        (payload(currency="usd1"), "currency"),
        (payload(customer_country="XX"), "customer_country"),
    ],
)
def test_bad_input_is_a_field_error_and_stores_nothing(tenants, catalogue, body, field):
    response = tenants.alice.api().post(API, body, format="json")
    assert response.status_code == 400, response.content
    assert field in response.json()["fields"]
    assert _deals() == []


def test_a_product_of_another_programme_is_not_offered(tenants, catalogue):
    from tests.factories import ProgrammeFactory
    from tests.licensing.factories import ProductFactory

    ProductFactory(programme=ProgrammeFactory(code="elsewhere"), code="elsewhere-only")
    response = tenants.alice.api().post(API, payload(product="elsewhere-only"), format="json")
    assert response.status_code == 400
    assert "pro" in response.json()["fields"]["product"][0]  # what may be chosen


def test_every_engagement_model_of_the_issue_is_accepted(tenants, catalogue):
    api = tenants.alice.api()
    for n, model in enumerate(
        ["partner_owned", "co_led_partner", "co_led_vendor", "late_involvement"]
    ):
        body = payload(engagement_model=model, customer_domain=f"c{n}.example")
        response = api.post(API, body, format="json")
        assert response.status_code == 201, response.content
        assert response.json()["engagement_model"] == model


def test_a_partner_cannot_register_its_own_open_opportunity_twice(tenants, catalogue):
    api = tenants.alice.api()
    first = api.post(API, payload(), format="json").json()
    again = api.post(API, payload(customer_domain="WWW.acme-logistik.example"), format="json")
    assert again.status_code == 400
    assert again.json()["code"] == "duplicate"
    assert first["reference"] in again.json()["detail"]  # its own registration: named
    # Another product for the same customer is another opportunity.
    other = api.post(API, payload(product="essential"), format="json")
    assert other.status_code == 201


# --- deal blocking seen from the partner ----------------------------------------------------


def _holders_traces(holder: Deal, tenant) -> list[str]:
    return [
        str(holder.pk),
        holder.reference,
        holder.customer_name,
        tenant.organisation.name,
        str(tenant.organisation.pk),
        tenant.admin.email,
        "deal_one_holder_per_opportunity",
        "duplicate key",
        "IntegrityError",
    ]


def test_a_registration_for_a_held_opportunity_is_in_conflict_and_names_no_holder(
    tenants, catalogue, django_capture_on_commit_callbacks
):
    # Given alice holds an approved registration of acme-logistik.example for Pro
    alice, bob = tenants.alice, tenants.bob
    holder = make_deal(
        alice.organisation,
        status=Deal.Status.APPROVED,
        domain="acme-logistik.example",
        product=catalogue["pro"],
        customer_name="Acme (Alice's secret account plan)",
    )
    api = bob.api()

    # When bob registers the same customer (spelt differently) and product
    with django_capture_on_commit_callbacks(execute=True):
        response = api.post(
            API, payload(customer_domain="https://WWW.acme-logistik.example/"), format="json"
        )

    # Then it is accepted, in conflict, with a message that says only that
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["status"] == "conflict"
    assert [e["kind"] for e in body["history"]] == ["submitted", "conflict"]
    assert "Another registration already holds" in body["history"][1]["text"]
    bob_deal = _deals(organisation=bob.organisation)[0]
    # And nothing bob can read names alice's registration: the answer, the detail, the
    # list, the CSV, the pages and the emails
    seen = [
        response.content.decode(),
        api.get(f"{API}/{bob_deal.pk}").content.decode(),
        api.get(API).content.decode(),
        api.get(f"{API}/export.csv").content.decode(),
        bob.browser().get("/space/deals/").content.decode(),
        bob.browser().get(f"/space/deals/{bob_deal.pk}/").content.decode(),
        *(m.subject + m.body for m in mail.outbox if m.to == [bob.admin.email]),
    ]
    assert any("conflict" in text for text in seen[-1:])  # the email says it is in conflict
    for text in seen:
        for trace in _holders_traces(holder, alice):
            assert trace not in text, trace
    # And bob cannot read alice's registration itself
    assert api.get(f"{API}/{holder.pk}").status_code == 404


def test_the_own_approved_opportunity_is_no_conflict_for_another_product(tenants, catalogue):
    make_deal(
        tenants.alice.organisation,
        status=Deal.Status.APPROVED,
        domain="acme-logistik.example",
        product=catalogue["pro"],
    )
    response = tenants.bob.api().post(API, payload(product="essential"), format="json")
    assert response.json()["status"] == "submitted"


def test_an_expired_or_won_registration_holds_nothing(tenants, catalogue):
    for status in (Deal.Status.EXPIRED, Deal.Status.WON, Deal.Status.REJECTED):
        make_deal(
            tenants.alice.organisation,
            status=status,
            domain="acme-logistik.example",
            product=catalogue["pro"],
        )
    response = tenants.bob.api().post(API, payload(), format="json")
    assert response.json()["status"] == "submitted"


# --- roles ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("role", "may_write"), [("sales", True), ("technical", False), ("finance", False)]
)
def test_every_member_reads_and_admins_and_sales_register(tenants, catalogue, role, may_write):
    from tests.routes.harness import token_client

    member = MembershipFactory(organisation=tenants.alice.organisation, role=role)
    deal = make_deal(tenants.alice.organisation, product=catalogue["pro"])
    api = token_client(member.user)
    assert api.get(API).status_code == 200
    assert api.get(f"{API}/{deal.pk}").status_code == 200
    created = api.post(API, payload(), format="json")
    assert created.status_code == (201 if may_write else 403)
    lost = api.post(f"{API}/{deal.pk}/lost", {}, format="json")
    assert lost.status_code == (200 if may_write else 403)
    assert member.role != Membership.Role.ADMIN


# --- won and lost ----------------------------------------------------------------------------


def test_won_needs_an_approved_registration_and_lost_closes_an_open_one(tenants, catalogue):
    api = tenants.alice.api()
    submitted = make_deal(tenants.alice.organisation, product=catalogue["pro"])
    approved = make_deal(
        tenants.alice.organisation, status=Deal.Status.APPROVED, product=catalogue["pro"]
    )

    refused = api.post(f"{API}/{submitted.pk}/won", {}, format="json")
    assert (refused.status_code, refused.json()["code"]) == (409, "not_approved")

    won = api.post(f"{API}/{approved.pk}/won", {}, format="json")
    assert won.json()["status"] == "won"
    assert won.json()["history"][-1]["kind"] == "won"

    lost = api.post(
        f"{API}/{submitted.pk}/lost", {"reason": "Stayed with the incumbent"}, format="json"
    )
    assert lost.json()["status"] == "lost"
    assert lost.json()["history"][-1]["text"] == "Stayed with the incumbent"
    again = api.post(f"{API}/{submitted.pk}/lost", {}, format="json")
    assert again.status_code == 409
    assert api.post(f"{API}/{approved.pk}/lost", {}, format="json").status_code == 409  # won


# --- the list: filters, search, CSV --------------------------------------------------------------


def test_the_list_filters_searches_and_exports(tenants, catalogue):
    org = tenants.alice.organisation
    today = timezone.localdate()
    acme = make_deal(
        org,
        customer_name="Acme GmbH",
        domain="acme.example",
        product=catalogue["pro"],
        engagement_model="co_led_vendor",
    )
    make_deal(
        org,
        customer_name="Globex SA",
        domain="globex.example",
        customer_email="cfo@globex.example",
        status=Deal.Status.APPROVED,
        product=catalogue["essential"],
    )
    old = make_deal(
        org, customer_name='=HYPERLINK("x")', domain="initech.example", product=catalogue["pro"]
    )
    with observer():
        Deal.objects.filter(pk=old.pk).update(submitted_at=timezone.now() - timedelta(days=40))
    make_deal(tenants.bob.organisation, customer_name="Acme GmbH", domain="acme.example")
    api = tenants.alice.api()

    def names(query: str) -> set[str]:
        response = api.get(f"{API}?{query}")
        assert response.status_code == 200, response.content
        return {row["customer_name"] for row in response.json()["results"]}

    assert names("") == {"Acme GmbH", "Globex SA", '=HYPERLINK("x")'}
    assert names("status=approved") == {"Globex SA"}
    assert names("engagement_model=co_led_vendor") == {"Acme GmbH"}
    assert names("customer=globex") == {"Globex SA"}
    assert names(f"search={acme.reference}") == {"Acme GmbH"}
    assert names("search=CFO@globex") == {"Globex SA"}
    assert names(f"submitted_from={(today - timedelta(days=1)).isoformat()}") == {
        "Acme GmbH",
        "Globex SA",
    }
    assert names(f"submitted_to={(today - timedelta(days=30)).isoformat()}") == {'=HYPERLINK("x")'}
    bad = api.get(f"{API}?status=maybe&submitted_from=yesterday")
    assert bad.status_code == 400
    assert set(bad.json()["fields"]) == {"status", "submitted_from"}

    export = api.get(f"{API}/export.csv?status=submitted")
    assert export.status_code == 200
    assert export["Content-Type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(export.content.decode())))
    assert {row["customer_name"] for row in rows} == {"Acme GmbH", '\'=HYPERLINK("x")'}
    assert {row["id"] for row in rows} == {str(acme.pk), str(old.pk)}


def test_the_list_is_paginated(tenants, catalogue):
    for _ in range(3):
        make_deal(tenants.alice.organisation, product=catalogue["pro"])
    body = tenants.alice.api().get(f"{API}?page_size=2").json()
    assert body["count"] == 3
    assert len(body["results"]) == 2
    assert body["next"]


# --- pages ------------------------------------------------------------------------------------


def _form(**changes) -> dict:
    return {**payload(), "currency": "USD", **changes}


def test_the_registration_form_registers_and_shows_the_deal(tenants, catalogue):
    browser = tenants.alice.browser()
    page = browser.get("/space/deals/new/").content.decode()
    assert 'value="pro"' in page
    assert 'value="essential"' in page
    assert 'value="co_led_vendor"' in page

    response = browser.post("/space/deals/new/", _form())
    (deal,) = _deals(organisation=tenants.alice.organisation)
    assert response.status_code == 302
    assert response["Location"] == f"/space/deals/{deal.pk}/"
    detail = browser.get(response["Location"]).content.decode()
    assert deal.reference in detail
    assert "acme-logistik.example" in detail
    listing = browser.get("/space/deals/").content.decode()
    assert deal.reference in listing
    assert "Submitted" in listing


def test_the_form_shows_the_embargo_beside_its_field(tenants, catalogue):
    response = tenants.alice.browser().post("/space/deals/new/", _form(customer_country="CU"))
    assert response.status_code == 400
    page = response.content.decode()
    assert "trade embargo" in page
    assert 'id="id_customer_country"' in page
    assert "is-invalid" in page
    assert _deals() == []


def test_the_page_answers_the_question_and_marks_won(tenants, catalogue):
    org = tenants.alice.organisation
    deal = make_deal(org, status=Deal.Status.MORE_INFO_REQUESTED, product=catalogue["pro"])
    with observer():
        DealEvent.objects.create(
            deal=deal, kind="question", text="How many hosts?", by_channel_team=True
        )
    browser = tenants.alice.browser()
    page = browser.get(f"/space/deals/{deal.pk}/").content.decode()
    assert "How many hosts?" in page
    assert 'name="answer"' in page

    empty = browser.post(f"/space/deals/{deal.pk}/", {"action": "answer", "answer": " "})
    assert empty.status_code == 400
    answered = browser.post(f"/space/deals/{deal.pk}/", {"action": "answer", "answer": "Forty."})
    assert answered.status_code == 302
    deal.refresh_from_db()
    assert deal.status == Deal.Status.SUBMITTED

    with observer():
        Deal.objects.filter(pk=deal.pk).update(
            status="approved", protected_until=timezone.localdate()
        )
    assert browser.post(f"/space/deals/{deal.pk}/", {"action": "won"}).status_code == 302
    deal.refresh_from_db()
    assert deal.status == Deal.Status.WON


def test_members_who_only_read_see_no_actions(tenants, catalogue):
    from tests.routes.harness import cookie_client

    member = MembershipFactory(organisation=tenants.alice.organisation, role="finance")
    deal = make_deal(
        tenants.alice.organisation, status=Deal.Status.APPROVED, product=catalogue["pro"]
    )
    browser = cookie_client(member.user)
    page = browser.get(f"/space/deals/{deal.pk}/").content.decode()
    assert "Mark won" not in page
    assert "Register a deal" not in browser.get("/space/deals/").content.decode()
    assert browser.get("/space/deals/new/").status_code == 403
    assert browser.post(f"/space/deals/{deal.pk}/", {"action": "won"}).status_code == 403
