"""The channel team's console (issue 7): the admin home starts with the review queues,
review lists open on the work, decisions are buttons for those who may take them, and the
programme's advertised discounts come from its rules."""

from __future__ import annotations

import re
from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from partners.admin.organisations import ORGANISATION_SECTIONS, register_organisation_section
from partners.models import DiscountRule, PartnerApplication, PartnerType
from partners.selectors.applications import application_age, application_queue_counts
from partners.selectors.programme import discount_range
from portal.admin_site import review_queue_rows
from portal.models import OutboxTask
from tests.factories import OrganisationFactory, PartnerTypeFactory, ProgrammeFactory, staff_user
from tests.partners.factories_onboarding import AgreementFactory, PartnerApplicationFactory
from tests.partners.factories_training import SalesTrainingFactory
from tests.tenancy_support import observer

Status = PartnerApplication.Status
HOME = "/admin/"
APPLICATIONS = "/admin/partners/partnerapplication/"

VIEW = "partners.view_partnerapplication"
REVIEW = "partners.review_application"


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _submitted(days_ago: float, *, programme=None, status=Status.SUBMITTED, **fields):
    """An application submitted ``days_ago`` days ago (submitted_at is set on creation)."""
    partner_type = PartnerTypeFactory(programme=programme or ProgrammeFactory())
    application = PartnerApplicationFactory(partner_type=partner_type, status=status, **fields)
    PartnerApplication.objects.filter(pk=application.pk).update(
        submitted_at=timezone.now() - timedelta(days=days_ago)
    )
    return PartnerApplication.objects.get(pk=application.pk)


@pytest.fixture
def queue(db):
    """Waiting applications in two programmes with different review times, and others
    that do not wait for the channel team."""
    ten = ProgrammeFactory(code="ten-days", name="Ten days", application_review_days=10)
    three = ProgrammeFactory(code="three-days", name="Three days", application_review_days=3)
    return {
        "fresh": _submitted(1, programme=ten),
        "almost": _submitted(9.9, programme=ten),
        "late": _submitted(11, programme=ten),
        "late_short": _submitted(4, programme=three),
        "on_time_short": _submitted(2, programme=three),
        # Not waiting for the channel team: asked for information, or decided.
        "asked": _submitted(30, programme=ten, status=Status.INFO_REQUESTED),
        "rejected": _submitted(30, programme=ten, status=Status.REJECTED),
    }


# --- the queue's counts -------------------------------------------------------------------


def test_the_application_queue_counts_waiting_and_late_by_each_programmes_review_time(queue):
    counts = application_queue_counts()

    assert (counts.waiting, counts.late) == (5, 2)
    # The same rule as each application's own page (application_age).
    waiting = PartnerApplication.objects.filter(status=Status.SUBMITTED).select_related("programme")
    assert sum(application_age(application=a)[1] for a in waiting) == counts.late


def test_the_queue_counts_cost_one_query_however_many_applications(db):
    programme = ProgrammeFactory()
    _submitted(20, programme=programme)
    with CaptureQueriesContext(connection) as few:
        application_queue_counts()
    for days in range(15):
        _submitted(days, programme=programme)
    with CaptureQueriesContext(connection) as many:
        counts = application_queue_counts()

    assert len(few) == len(many) == 1
    assert counts.waiting == 16


def test_the_admin_home_starts_with_the_queue_and_links_to_its_filtered_lists(queue):
    reviewer = staff_user(VIEW, REVIEW, "partners.view_organisation")

    html = _client(reviewer).get(HOME).content.decode()

    queues = html[html.index('id="review-queues"') :]
    assert html.index('id="review-queues"') < html.index("Organisations")
    assert re.search(r'class="portal-waiting"[^>]*>5</a>', queues)
    assert re.search(r'class="portal-late"[^>]*>2 late</a>', queues)
    assert f'href="{APPLICATIONS}?status=submitted"' in queues
    assert f'href="{APPLICATIONS}?status=submitted&amp;late=yes"' in queues

    # And each link lists exactly what it counted
    client = _client(reviewer)
    late = client.get(f"{APPLICATIONS}?status=submitted&late=yes")
    waiting = client.get(f"{APPLICATIONS}?status=submitted")
    assert {a.pk for a in late.context["cl"].result_list} == {
        queue["late"].pk,
        queue["late_short"].pk,
    }
    assert late.context["cl"].result_count == 2
    assert waiting.context["cl"].result_count == 5


def test_a_staff_member_sees_only_the_queues_they_may_view(queue):
    finance = staff_user("partners.view_organisation")  # may not read applications
    reviewer = staff_user(VIEW)

    assert review_queue_rows(finance) == []
    assert [row.label for row in review_queue_rows(reviewer)] == ["Partner applications"]
    assert 'id="review-queues"' not in _client(finance).get(HOME).content.decode()
    assert 'id="review-queues"' in _client(reviewer).get(HOME).content.decode()


def test_the_admin_home_costs_the_same_queries_with_more_applications(db):
    client = _client(staff_user(VIEW, "partners.view_organisation"))
    programme = ProgrammeFactory()
    _submitted(20, programme=programme)
    client.get(HOME)
    with CaptureQueriesContext(connection) as few:
        client.get(HOME)
    for days in range(12):
        _submitted(days, programme=programme)
    with CaptureQueriesContext(connection) as many:
        response = client.get(HOME)

    assert response.status_code == 200
    assert len(many) == len(few)


def test_technical_models_sit_apart_under_system(db):
    superuser = staff_user(is_superuser=True)

    html = _client(superuser).get(HOME).content.decode()

    system = html.index('class="portal-system-heading"')
    for work in ("Partner applications", "Organisations", "Discount rules", "Users"):
        assert html.index(f">{work}<") < system, work
    for technical in (
        "Outbox tasks",
        "Audit events",
        "Periodic tasks",
        "Clocked",
        "Crontabs",
        "Intervals",
        "Solar events",
        "Authenticators",
        "Groups",
        "Email addresses",
    ):
        assert html.index(f">{technical}") > system, technical
    # Admin URLs are unchanged: an app's own page still lists all its models.
    portal = _client(superuser).get("/admin/portal/").content.decode()
    assert "Outbox tasks" in portal
    assert "Users" in portal


# --- the applications list ----------------------------------------------------------------


def test_the_applications_list_opens_on_awaiting_review(queue):
    client = _client(staff_user(VIEW))

    default = client.get(APPLICATIONS)
    everything = client.get(f"{APPLICATIONS}?status=all")

    shown = {a.pk for a in default.context["cl"].result_list}
    assert shown == {
        queue[k].pk for k in ("fresh", "almost", "late", "late_short", "on_time_short")
    }
    assert everything.context["cl"].result_count == len(queue)
    # The filter says what is shown, and "All" keeps its choice in the address.
    html = default.content.decode()
    assert re.search(r'class="selected">\s*<a href="\?status=submitted">Awaiting review', html)
    assert 'href="?status=all"' in html


def test_the_country_filter_is_a_drop_down_of_the_countries_applied_from(queue):
    PartnerApplicationFactory(
        partner_type=queue["fresh"].partner_type, country="PT", company_name="Lisboa Lda"
    )
    client = _client(staff_user(VIEW))

    html = client.get(f"{APPLICATIONS}?status=all").content.decode()

    select = re.search(r"<select[^>]*data-portal-filter.*?</select>", html, re.S).group(0)
    assert re.findall(r"<option [^>]*>([^<]+)</option>", select) == ["All", "Germany", "Portugal"]
    assert "?country=" not in html.replace(select, "")  # no column of country links
    portuguese = client.get(f"{APPLICATIONS}?status=all&country=PT").context["cl"]
    assert [a.company_name for a in portuguese.result_list] == ["Lisboa Lda"]


# --- an application's page ----------------------------------------------------------------


def _page(user, application) -> str:
    response = _client(user).get(f"{APPLICATIONS}{application.pk}/change/")
    assert response.status_code == 200
    return response.content.decode()


def test_decisions_are_buttons_for_reviewers_only(queue):
    late = queue["late"]
    reviewer_page = _page(staff_user(VIEW, REVIEW), late)
    reader_page = _page(staff_user(VIEW), late)

    for action, label in (
        ("approve", "Approve"),
        ("request-info", "Ask for information"),
        ("reject", "Reject"),
    ):
        button = re.search(
            rf'<a class="button portal-button-[a-z]+" href="{APPLICATIONS}{late.pk}/{action}/">'
            rf"{label}</a>",
            reviewer_page,
        )
        assert button, action
        assert f"{late.pk}/{action}/" not in reader_page
    assert "past the review time" in reviewer_page
    assert "needs the permission to review them" in reader_page


def test_a_decided_application_offers_no_decision(queue):
    page = _page(staff_user(VIEW, REVIEW), queue["rejected"])

    assert "/approve/" not in page
    assert "portal-decision-buttons" not in page


@pytest.mark.parametrize("kind", ["application", "agreement", "outbox task"])
def test_a_read_only_page_has_no_save_button(db, kind):
    superuser = staff_user(is_superuser=True)
    if kind == "application":
        url = f"{APPLICATIONS}{_submitted(1).pk}/change/"
    elif kind == "agreement":
        agreement = AgreementFactory(organisation=OrganisationFactory())
        url = f"/admin/partners/agreement/{agreement.pk}/change/"
    else:
        with observer():
            task = OutboxTask.objects.create(task_name="portal.task", args=[], kwargs={})
        url = f"/admin/portal/outboxtask/{task.pk}/change/"

    html = _client(superuser).get(url).content.decode()

    assert 'name="_save"' not in html
    assert 'name="_continue"' not in html


def test_a_check_that_passed_reads_as_passed(queue):
    OrganisationFactory(name="Taken Ltd")
    taken = _submitted(1, company_name="Taken Ltd")

    free_page = _page(staff_user(VIEW), queue["fresh"])
    taken_page = _page(staff_user(VIEW), taken)

    assert "No existing partner of that name" in free_page
    assert re.search(r"Passed:</span> Not already a partner", free_page)
    assert re.search(r"Not met:</span> Not already a partner", taken_page)
    assert "A partner of that name exists" in taken_page


# --- an organisation's page ---------------------------------------------------------------


def test_an_organisations_page_shows_its_application_members_agreement_and_training(db):
    organisation = OrganisationFactory(name="Fjord Systems AS")
    application = _submitted(
        20, status=Status.APPROVED, company_name="Fjord Systems AS", organisation=organisation
    )
    AgreementFactory(organisation=organisation)
    training = SalesTrainingFactory(
        organisation=organisation, membership=None, person_name="Ingrid Berg"
    )
    url = f"/admin/partners/organisation/{organisation.pk}/change/"
    manager = staff_user(
        "partners.view_organisation",
        VIEW,
        "partners.view_membership",
        "partners.view_agreement",
        "partners.view_salestraining",
        "partners.view_technicalcertification",
        "partners.view_partnerprofile",
    )
    finance = staff_user("partners.view_organisation")

    html = _client(manager).get(url).content.decode()
    limited = _client(finance).get(url).content.decode()

    assert f'href="{APPLICATIONS}{application.pk}/change/"' in html
    for section in ("Members", "Agreement", "Sales training", "Technical certifications"):
        assert re.search(rf">\s*{section}\s*</h2>", html), section
    assert training.person_name in html
    # The activity comes last, after the sections.
    assert html.index("Audit trail") > html.index("Technical certifications")
    # Who may not read applications sees where it came from, not a link to it.
    assert "Fjord Systems AS, submitted" in limited
    assert f"{APPLICATIONS}{application.pk}" not in limited
    assert training.person_name not in limited  # no view permission on training records


def test_later_apps_add_a_section_to_the_organisation_page(db):
    from django.contrib import admin

    from partners.admin.organisations import MembershipInline

    class ExtraSection(MembershipInline):
        verbose_name_plural = "deals (a later app's section)"

    register_organisation_section(ExtraSection)
    try:
        organisation = OrganisationFactory()
        html = (
            _client(staff_user(is_superuser=True))
            .get(f"/admin/partners/organisation/{organisation.pk}/change/")
            .content.decode()
        )
    finally:
        ORGANISATION_SECTIONS.remove(ExtraSection)
    assert "deals (a later app" in html.lower()
    assert admin.site.is_registered(organisation.__class__)


# --- the programme ------------------------------------------------------------------------


@pytest.fixture
def vates(db):
    call_command("load_programme", "vates", stdout=None)
    return {t.code: t for t in PartnerType.objects.filter(programme__code="vates")}


def test_a_types_advertised_discount_is_derived_from_its_rules(vates):
    assert discount_range(partner_type=vates["reseller"]) == "10% - 40%"
    assert discount_range(partner_type=vates["msp"]) == "20% - 50%"
    assert discount_range(partner_type=vates["distributor"]) == "10% - 50%"
    assert discount_range(partner_type=vates["order_taker"]) == "None"

    # When a rule changes, the advertised range follows
    with observer():
        DiscountRule.objects.filter(partner_type=vates["reseller"], tier_level=4).update(
            percent=Decimal("42.5")
        )
    assert discount_range(partner_type=vates["reseller"]) == "10% - 42.5%"
    assert not hasattr(PartnerType, "discount_range")  # no free text left to drift


def test_a_discount_only_on_registered_deals_says_so(db):
    call_command("load_programme", "mattermost", stdout=None)
    var = PartnerType.objects.get(programme__code="mattermost", code="value_added_reseller")

    assert discount_range(partner_type=var) == "20% with an approved deal registration"


def test_the_programme_lists_show_the_derived_range_and_each_rules_percent(vates):
    client = _client(staff_user(is_superuser=True))

    types = client.get("/admin/partners/partnertype/").content.decode()
    rules = client.get("/admin/partners/discountrule/").content.decode()

    assert "10% - 40%" in types
    assert re.search(r'<th[^>]*class="[^"]*column-discount', rules)
    assert re.search(r'<td class="field-discount">45%</td>', rules)


def test_no_admin_list_filters_by_country_with_a_link_per_country():
    from django.contrib import admin
    from django_countries.fields import CountryField

    offenders = []
    for model, model_admin in admin.site._registry.items():
        for entry in model_admin.list_filter:
            name = entry[0] if isinstance(entry, tuple) else entry
            if not isinstance(name, str):
                continue  # a filter class (the drop-down is one)
            owner, field = model, None
            for part in name.split("__"):
                field = owner._meta.get_field(part)
                owner = getattr(field, "related_model", None) or owner
            if isinstance(field, CountryField):
                offenders.append(f"{model_admin}: {name}")
    assert offenders == []
