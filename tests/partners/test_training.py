"""Training and certifications (SPEC §3.8): what counts towards the tier requirements
"certified sales professionals" and "certified technical experts" (§3.2), how the channel
team records them, and what partner admins see."""

import datetime

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from partners.models import (
    Membership,
    Organisation,
    SalesTraining,
    TechnicalCertification,
    Tier,
)
from partners.selectors.training import CertifiedCounts, certified_counts, training_summary
from partners.services.training import certification_record, sales_training_record
from portal.errors import DomainError, Forbidden
from portal.tenancy.context import tenant_context
from tests.factories import MembershipFactory, OrganisationFactory, UserFactory, staff_user
from tests.partners.factories_training import SalesTrainingFactory, TechnicalCertificationFactory
from tests.tenancy_support import observer

ON = datetime.date(2026, 3, 31)  # the end of Q1 2026
DAY = datetime.timedelta(days=1)


def _counts(organisation, on=ON) -> CertifiedCounts:
    """As a partner request would read them: inside the tenant's database context."""
    with tenant_context(organisation.pk):
        return certified_counts(organisation=organisation, on=on)


def _member(organisation, role=Membership.Role.SALES) -> Membership:
    return MembershipFactory(organisation=organisation, role=role)


def _set_requirements(organisation, *, sales, technical) -> None:
    Tier.objects.filter(pk=organisation.tier_id).update(
        min_certified_sales=sales, min_certified_technical=technical
    )
    organisation.refresh_from_db()


def _staff_client() -> tuple[Client, object]:
    staff = UserFactory(is_staff=True, is_superuser=True, email="channel@vendor.example")
    client = Client()
    client.force_login(staff)
    return client, staff


def _sales_member_client(tenant) -> Client:
    member = _member(tenant.organisation, role=Membership.Role.SALES)
    client = Client()
    client.force_login(member.user)
    return client


# --- certified_counts ---------------------------------------------------------------------


@pytest.mark.django_db
def test_nothing_recorded_counts_nothing(tenants):
    assert _counts(tenants.alice.organisation) == CertifiedCounts(sales=0, technical=0)


@pytest.mark.django_db
def test_sales_training_counts_from_the_day_it_was_attended(tenants):
    org = tenants.alice.organisation
    SalesTrainingFactory(membership=_member(org), attended_on=ON)
    SalesTrainingFactory(membership=_member(org), attended_on=ON - 200 * DAY)
    SalesTrainingFactory(membership=_member(org), attended_on=ON + DAY)  # not yet

    assert _counts(org).sales == 2
    assert _counts(org, on=ON + DAY).sales == 3
    assert _counts(org, on=ON - 201 * DAY).sales == 0


@pytest.mark.django_db
def test_a_person_trained_twice_counts_once(tenants):
    org = tenants.alice.organisation
    member = _member(org)
    SalesTrainingFactory(membership=member, attended_on=ON - 30 * DAY)
    SalesTrainingFactory(membership=member, attended_on=ON - 3 * DAY)

    assert _counts(org).sales == 1


@pytest.mark.django_db
def test_a_person_with_two_certifications_counts_once(tenants):
    org = tenants.alice.organisation
    member = _member(org, role=Membership.Role.TECHNICAL)
    TechnicalCertificationFactory(membership=member, name="Administrator", expires_on=None)
    TechnicalCertificationFactory(membership=member, name="Architect")

    assert _counts(org) == CertifiedCounts(sales=0, technical=1)


@pytest.mark.django_db
def test_a_certification_counts_only_while_it_is_valid(tenants):
    # Given five technical members with certifications in every position around ON
    org = tenants.alice.organisation

    def certify(obtained_on, expires_on):
        TechnicalCertificationFactory(
            membership=_member(org), obtained_on=obtained_on, expires_on=expires_on
        )

    certify(ON - 400 * DAY, ON - DAY)  # expired the day before
    certify(ON - 400 * DAY, ON)  # expires on the day itself: still valid that day
    certify(ON, ON + 365 * DAY)  # obtained on the day
    certify(ON - 10 * DAY, None)  # never expires
    certify(ON + DAY, ON + 365 * DAY)  # not obtained yet

    # Then three count on ON, and the first two no longer the day after
    assert _counts(org).technical == 3
    assert _counts(org, on=ON + DAY).technical == 3  # minus "expires on ON", plus "ON + 1"
    assert _counts(org, on=ON + 366 * DAY).technical == 1  # only the one without expiry


@pytest.mark.django_db
def test_a_member_who_left_no_longer_counts(tenants):
    # Given a member with both kinds of record
    org = tenants.alice.organisation
    member = _member(org)
    training = SalesTrainingFactory(membership=member)
    certification = TechnicalCertificationFactory(membership=member)
    assert _counts(org) == CertifiedCounts(sales=1, technical=1)

    # When they leave the organisation
    with observer():
        member.delete()

    # Then the records stay, with the name they were recorded for, and count for nothing
    with observer():
        training.refresh_from_db()
        certification.refresh_from_db()
    assert training.membership is None
    assert certification.membership is None
    assert training.person_name
    assert _counts(org) == CertifiedCounts(sales=0, technical=0)


@pytest.mark.django_db
def test_records_without_a_member_never_count(tenants):
    org = tenants.alice.organisation
    SalesTrainingFactory(membership=None, organisation=org)
    TechnicalCertificationFactory(membership=None, organisation=org)

    assert _counts(org) == CertifiedCounts(sales=0, technical=0)


@pytest.mark.django_db
def test_another_organisations_records_never_count(tenants):
    # Given bob's people trained and certified, and (inconsistent data) a bob record that
    # names one of alice's members
    alice, bob = tenants.alice.organisation, tenants.bob.organisation
    SalesTrainingFactory(membership=tenants.bob.membership)
    TechnicalCertificationFactory(membership=tenants.bob.membership)
    SalesTrainingFactory(membership=tenants.alice.membership, organisation=bob)
    TechnicalCertificationFactory(membership=tenants.alice.membership, organisation=bob)

    # Then alice counts nothing, and bob only his own member, whatever the context
    assert _counts(alice) == CertifiedCounts(sales=0, technical=0)
    assert _counts(bob) == CertifiedCounts(sales=1, technical=1)
    with observer():
        assert certified_counts(organisation=alice, on=ON) == CertifiedCounts(0, 0)
        assert certified_counts(organisation=bob, on=ON) == CertifiedCounts(1, 1)


@pytest.mark.django_db
def test_counting_is_one_query_whatever_the_data(tenants, django_assert_num_queries):
    org = tenants.alice.organisation
    for _ in range(5):
        member = _member(org)
        SalesTrainingFactory(membership=member)
        TechnicalCertificationFactory(membership=member)
        TechnicalCertificationFactory(membership=member, name="Second")
    with observer(), django_assert_num_queries(1):
        counts = certified_counts(organisation=org, on=ON)
    assert counts == CertifiedCounts(sales=5, technical=5)


@pytest.mark.django_db
def test_summary_sets_the_counts_beside_the_tier_requirements(tenants):
    org = tenants.alice.organisation
    _set_requirements(org, sales=2, technical=1)
    SalesTrainingFactory(membership=_member(org))
    TechnicalCertificationFactory(membership=_member(org))

    with tenant_context(org.pk):
        summary = training_summary(organisation=org, on=ON)

    assert (summary.sales.certified, summary.sales.required, summary.sales.met) == (1, 2, False)
    assert (summary.technical.certified, summary.technical.required) == (1, 1)
    assert summary.technical.met is True


@pytest.mark.django_db
def test_summary_without_a_tier_requires_nothing(tenants):
    org = OrganisationFactory(tier=None)
    with tenant_context(org.pk):
        summary = training_summary(organisation=org, on=ON)
    assert summary.sales.required is None
    assert summary.sales.met is None
    assert summary.technical.applies is False


# --- recording (services and admin) -----------------------------------------------------


@pytest.mark.django_db
def test_only_the_channel_team_records(tenants):
    with pytest.raises(Forbidden):
        sales_training_record(
            actor=tenants.alice.admin,
            organisation=tenants.alice.organisation,
            membership=tenants.alice.membership,
            attended_on=ON,
        )


@pytest.mark.django_db
def test_the_service_refuses_a_member_of_another_organisation(tenants):
    staff = staff_user("partners.record_certification")
    with observer(), pytest.raises(DomainError) as refused:
        certification_record(
            actor=staff,
            organisation=tenants.alice.organisation,
            membership=tenants.bob.membership,
            name="Administrator",
            obtained_on=ON,
        )
    assert refused.value.field == "membership"
    with observer():
        assert not TechnicalCertification.objects.exists()


@pytest.mark.django_db
def test_staff_record_a_sales_training_in_the_admin(tenants):
    # Given a staff member in the admin, and alice's admin with a full name
    client, staff = _staff_client()
    alice = tenants.alice

    # When they add an attendance for alice's member, leaving name and email blank
    response = client.post(
        "/admin/partners/salestraining/add/",
        {
            "organisation": alice.organisation.pk,
            "membership": alice.membership.pk,
            "person_name": "",
            "person_email": "",
            "attended_on": "2026-02-10",
            "session": "February session",
            "_save": "Save",
        },
    )

    # Then it is recorded by them, with the member's name and email
    assert response.status_code == 302, response.content.decode()[:2000]
    with observer():
        record = SalesTraining.objects.get()
    assert record.recorded_by == staff
    assert record.organisation == alice.organisation
    assert record.person_email == alice.admin.email
    assert record.person_name == (alice.admin.full_name or alice.admin.email)
    assert record.attended_on == datetime.date(2026, 2, 10)
    assert _counts(alice.organisation, on=datetime.date(2026, 2, 10)).sales == 1


@pytest.mark.django_db
def test_the_admin_refuses_a_member_of_another_organisation(tenants):
    client, _ = _staff_client()

    response = client.post(
        "/admin/partners/technicalcertification/add/",
        {
            "organisation": tenants.alice.organisation.pk,
            "membership": tenants.bob.membership.pk,
            "name": "Administrator",
            "obtained_on": "2026-02-10",
            "expires_on": "2028-02-10",
            "_save": "Save",
        },
    )

    assert response.status_code == 200
    form = response.context["adminform"].form
    assert form.errors["membership"] == ["This member does not belong to the chosen organisation."]
    with observer():
        assert not TechnicalCertification.objects.exists()


@pytest.mark.django_db
def test_the_admin_refuses_an_expiry_before_obtention_and_an_unnamed_person(tenants):
    client, _ = _staff_client()

    response = client.post(
        "/admin/partners/technicalcertification/add/",
        {
            "organisation": tenants.alice.organisation.pk,
            "membership": tenants.alice.membership.pk,
            "name": "Administrator",
            "obtained_on": "2026-02-10",
            "expires_on": "2026-02-10",
            "_save": "Save",
        },
    )
    assert response.status_code == 200
    assert "expires_on" in response.context["adminform"].form.errors

    response = client.post(
        "/admin/partners/salestraining/add/",
        {"organisation": tenants.alice.organisation.pk, "attended_on": "2026-02-10"},
    )
    assert response.status_code == 200
    assert "person_name" in response.context["adminform"].form.errors
    with observer():
        assert not TechnicalCertification.objects.exists()
        assert not SalesTraining.objects.exists()


@pytest.mark.django_db
def test_staff_correct_a_record_and_become_its_recorder(tenants):
    # Given a certification recorded earlier by someone else
    client, staff = _staff_client()
    certification = TechnicalCertificationFactory(membership=tenants.alice.membership)

    # When staff change its expiry date
    response = client.post(
        f"/admin/partners/technicalcertification/{certification.pk}/change/",
        {
            "organisation": tenants.alice.organisation.pk,
            "membership": tenants.alice.membership.pk,
            "person_name": "Alice Admin",
            "person_email": "alice@alice.example",
            "name": "Administrator",
            "obtained_on": "2026-01-15",
            "expires_on": "2027-01-15",
            "_save": "Save",
        },
    )

    # Then the same record carries the new values
    assert response.status_code == 302
    with observer():
        certification.refresh_from_db()
        assert TechnicalCertification.objects.count() == 1
    assert certification.expires_on == datetime.date(2027, 1, 15)
    assert certification.person_name == "Alice Admin"
    assert certification.recorded_by == staff


@pytest.mark.django_db
def test_admin_lists_filter_and_search(tenants):
    client, _ = _staff_client()
    today = timezone.localdate()
    TechnicalCertificationFactory(
        membership=tenants.alice.membership,
        name="Expired one",
        obtained_on=today - 400 * DAY,
        expires_on=today - DAY,
    )
    TechnicalCertificationFactory(membership=tenants.bob.membership, name="Valid one")
    SalesTrainingFactory(membership=tenants.alice.membership)

    expired = client.get("/admin/partners/technicalcertification/?validity=expired")
    assert expired.status_code == 200
    assert b"Expired one" in expired.content
    assert b"Valid one" not in expired.content

    for url in (
        "/admin/partners/technicalcertification/?validity=soon",
        "/admin/partners/technicalcertification/?validity=valid&member=current",
        "/admin/partners/salestraining/?member=left",
        "/admin/partners/salestraining/?q=Alice",
        f"/admin/partners/salestraining/?organisation__partner_type__id__exact="
        f"{tenants.alice.organisation.partner_type_id}",
        "/admin/partners/salestraining/add/",
        "/admin/autocomplete/?app_label=partners&model_name=salestraining"
        "&field_name=membership&term=admin",
    ):
        assert client.get(url).status_code == 200, url


# --- the reseller-space page ----------------------------------------------------------------


@pytest.mark.django_db
def test_partner_admins_see_their_people_and_the_tier_requirements(tenants):
    # Given alice's tier asks for 2 sales professionals and does not ask for technicians
    alice = tenants.alice
    _set_requirements(alice.organisation, sales=2, technical=None)
    today = timezone.localdate()
    SalesTrainingFactory(membership=alice.membership, session="Spring sales session")
    TechnicalCertificationFactory(
        membership=_member(alice.organisation),
        name="Old cert",
        obtained_on=today - 800 * DAY,
        expires_on=today - DAY,
    )
    TechnicalCertificationFactory(
        membership=_member(alice.organisation),
        name="Nearly done cert",
        obtained_on=today - 300 * DAY,
        expires_on=today + 30 * DAY,
    )

    # When alice's admin opens the training page
    response = alice.browser().get("/space/training/")

    # Then both tables and the comparison show
    assert response.status_code == 200
    page = response.content.decode()
    assert "Spring sales session" in page
    assert "Old cert" in page
    assert "Expired" in page
    assert "Expires soon" in page
    summary = response.context["summary"]
    assert (summary.sales.certified, summary.sales.required, summary.sales.met) == (1, 2, False)
    assert (summary.technical.certified, summary.technical.required) == (1, None)
    assert "Not required" in page
    assert "Not met" in page


@pytest.mark.django_db
def test_the_page_says_not_required_without_a_tier(tenants):
    alice = tenants.alice
    with observer():
        Organisation.objects.filter(pk=alice.organisation.pk).update(tier=None)

    response = alice.browser().get("/space/training/")

    assert response.status_code == 200
    assert response.content.decode().count("Not required") == 2


@pytest.mark.django_db
def test_only_partner_admins_see_the_training_page_and_api(tenants):
    client = _sales_member_client(tenants.alice)
    for url in (
        "/space/training/",
        "/api/v1/training/sales",
        "/api/v1/training/certifications",
        "/api/v1/training/summary",
    ):
        assert client.get(url).status_code == 403, url


@pytest.mark.django_db
def test_the_page_and_lists_do_not_grow_in_queries_with_records(tenants):
    alice = tenants.alice
    browser, api = alice.browser(), alice.api()
    urls = ["/space/training/", "/api/v1/training/sales", "/api/v1/training/certifications"]

    def queries(client, url) -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get(url).status_code == 200
        return len(captured)

    def all_queries() -> list[int]:
        return [queries(browser if u.startswith("/space") else api, u) for u in urls]

    SalesTrainingFactory(membership=alice.membership)
    TechnicalCertificationFactory(membership=alice.membership)
    all_queries()  # warm caches
    before = all_queries()
    for _ in range(10):
        member = _member(alice.organisation)
        SalesTrainingFactory(membership=member)
        TechnicalCertificationFactory(membership=member)
    assert all_queries() == before


# --- API ----------------------------------------------------------------------------------


@pytest.mark.django_db
def test_api_lists_the_records(tenants):
    alice = tenants.alice
    today = timezone.localdate()
    training = SalesTrainingFactory(membership=alice.membership, attended_on=ON)
    certification = TechnicalCertificationFactory(
        membership=None,
        organisation=alice.organisation,
        person_name="Former Expert",
        obtained_on=today - 400 * DAY,
        expires_on=today - DAY,
    )
    api = alice.api()

    sales = api.get("/api/v1/training/sales").json()
    assert sales["count"] == 1
    assert sales["results"][0]["id"] == str(training.pk)
    assert sales["results"][0]["membership"] == str(alice.membership.pk)
    assert sales["results"][0]["is_current_member"] is True
    assert sales["results"][0]["attended_on"] == "2026-03-31"

    certifications = api.get("/api/v1/training/certifications").json()
    assert certifications["count"] == 1
    row = certifications["results"][0]
    assert row["id"] == str(certification.pk)
    assert row["status"] == "expired"
    assert row["membership"] is None
    assert row["is_current_member"] is False


@pytest.mark.django_db
def test_api_summary_counts_on_a_given_day(tenants):
    alice = tenants.alice
    _set_requirements(alice.organisation, sales=1, technical=2)
    SalesTrainingFactory(membership=alice.membership, attended_on=ON)
    TechnicalCertificationFactory(membership=alice.membership, obtained_on=ON - 10 * DAY)
    api = alice.api()

    body = api.get("/api/v1/training/summary", {"on": "2026-03-31"}).json()
    assert body == {
        "organisation": str(alice.organisation.pk),
        "tier_level": 1,
        "on": "2026-03-31",
        "sales": {"certified": 1, "required": 1, "met": True},
        "technical": {"certified": 1, "required": 2, "met": False},
    }

    before = api.get("/api/v1/training/summary", {"on": "2026-03-30"}).json()
    assert before["sales"]["certified"] == 0

    today = api.get("/api/v1/training/summary").json()
    assert today["on"] == timezone.localdate().isoformat()


@pytest.mark.django_db
def test_api_summary_refuses_a_bad_date(tenants):
    response = tenants.alice.api().get("/api/v1/training/summary", {"on": "31/03/2026"})
    assert response.status_code == 400
    assert "on" in response.json()["fields"]
