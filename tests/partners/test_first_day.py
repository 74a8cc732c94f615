"""A partner's first day (issue 7): the navigation lists every page a member may use and
nothing else; the dashboard's checklist, tier and contact; the agreement page's states;
the Documents page; one date format; one review-time wording."""

import datetime
import re

import pytest
from django.contrib.admin.utils import display_for_value
from django.core import mail
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from partners import roles
from partners.models import Agreement, DiscountRule, Membership, Organisation, Programme
from partners.navigation import ENTRIES, space_navigation
from partners.selectors.onboarding import onboarding_checklist
from partners.services.team import invitation_create
from tests.factories import MembershipFactory, OrganisationFactory, ProgrammeFactory
from tests.partners.factories_directory import PartnerProfileFactory
from tests.partners.factories_onboarding import AgreementFactory
from tests.partners.factories_team import InvitationFactory, member_of
from tests.partners.factories_training import SalesTrainingFactory, TechnicalCertificationFactory
from tests.tenancy_support import observer

ISO_TIMESTAMP = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}")


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _nav_hrefs(html: str) -> list[str]:
    """The links of the reseller space's navigation blocks (sidebar and phone menu)."""
    blocks = re.findall(r'<nav class="space-nav.*?</nav>', html, flags=re.S)
    return [href for block in blocks for href in re.findall(r'href="([^"]+)"', block)]


def _shown(html: str) -> set[str]:
    hrefs = set(_nav_hrefs(html))
    return {entry.url_name for entry in ENTRIES if reverse(entry.url_name) in hrefs}


# --- Navigation --------------------------------------------------------------------------


def test_every_navigation_entry_names_a_page_and_a_known_group():
    from partners.navigation import GROUPS

    for entry in ENTRIES:
        assert reverse(entry.url_name).startswith("/space/")
        assert entry.group in GROUPS
        assert entry.roles <= roles.ALL


def _not_offered(tenant) -> set[str]:
    """The pages about what the tenant's programme does not give (NavEntry.programme_flag)."""
    with observer():
        programme = Programme.objects.get(pk=tenant.organisation.partner_type.programme_id)
    return {
        entry.url_name
        for entry in ENTRIES
        if entry.programme_flag and not getattr(programme, entry.programme_flag)
    }


@pytest.mark.parametrize("role", sorted(roles.ALL))
def test_each_role_sees_exactly_the_pages_it_may_open(tenants, role):
    # Given a member of this role in an active organisation
    member = member_of(tenants.alice, role=role)
    client = _client(member.user)
    # When they open each listed page, and read the navigation on their dashboard
    opens = {
        entry.url_name
        for entry in ENTRIES
        if client.get(reverse(entry.url_name)).status_code == 200
    }
    dashboard = client.get("/space/").content.decode()
    shown = {
        entry.url_name for entry in ENTRIES if f'href="{reverse(entry.url_name)}"' in dashboard
    }
    # Then the navigation shows every page they may open and none they may not, but for
    # a page about what the programme does not give (it still answers, saying so)
    assert shown == opens - _not_offered(tenants.alice)
    assert "partners:training" in shown if role in roles.VIEW_TRAINING else True
    assert {"partners:agreement", "partners:documents", "partners:team"} <= shown


def test_a_pending_organisation_sees_only_the_signing_pages(tenants):
    with observer():
        Organisation.objects.filter(pk=tenants.alice.organisation.pk).update(
            status=Organisation.Status.PENDING
        )
    AgreementFactory(organisation=tenants.alice.organisation)
    client = tenants.alice.browser()
    shown = _shown(client.get("/space/agreement/").content.decode())
    assert shown == {"partners:agreement", "partners:documents"}
    for url_name in shown:
        assert client.get(reverse(url_name)).status_code == 200


def test_training_and_the_agreement_are_in_the_navigation_grouped(tenants):
    groups = space_navigation(role=roles.ADMIN, pending=False, path="/space/training/")
    by_label = {group.label: [link.label for link in group.links] for group in groups}
    assert by_label["Programme"] == [
        "Training",
        "Sessions & training",
        "Engagement points",
        "Agreement",
        "Documents",
        "Marketing center",
    ]
    assert by_label["Company"] == ["Company profile", "Billing account", "Team", "Activity"]
    assert by_label["Sell"] == [
        "Products & prices",
        "Price calculator",
        "Quotes",
        "Orders",
        "Deal registrations",
        "Referrals",
        "Contact requests",
    ]
    assert by_label["Customers"][:4] == ["Licences", "Renewals", "Trials / PoC", "NFR licences"]
    assert by_label["Money"] == ["Invoices", "Marketing funds"]
    # Groups with no built page are not shown: no promise of what does not exist yet.
    assert all(group.links for group in groups)
    active = [link.label for group in groups for link in group.links if link.active]
    assert active == ["Training"]


def test_the_first_sale_credit_is_listed_where_the_programme_gives_it(tenants):
    # Xen Orchestra credits the first sale's discount; Vates does not.
    def money(**flags):
        groups = space_navigation(role=roles.ADMIN, pending=False, path="/space/", **flags)
        return next(
            [link.label for link in group.links] for group in groups if group.label == "Money"
        )

    assert money() == ["Invoices", "Marketing funds"]
    assert money(programme_flags=frozenset({"first_sale_credit"})) == [
        "Invoices",
        "First-sale credit",
        "Marketing funds",
    ]
    alice = tenants.alice
    with observer():
        Programme.objects.filter(pk=alice.organisation.partner_type.programme_id).update(
            first_sale_credit=True
        )
    page = alice.browser().get("/space/team/").content.decode()
    assert f'href="{reverse("billing:credits")}"' in page


def test_phones_get_one_menu_holding_the_same_links(tenants):
    page = tenants.alice.browser().get("/space/team/").content.decode()
    # The navbar's toggler is the only menu button; the old offcanvas "Menu" is gone.
    assert page.count('data-bs-toggle="collapse"') == 1
    assert 'data-bs-toggle="offcanvas"' not in page
    # The sidebar (desktop) and the navbar's menu (phone) render the same list.
    for entry in ENTRIES:
        if entry.url_name in _not_offered(tenants.alice):
            continue
        assert _nav_hrefs(page).count(reverse(entry.url_name)) == 2, entry.url_name


# --- The dashboard -------------------------------------------------------------------------


def _steps(page: str) -> dict[str, str]:
    return dict(re.findall(r'data-step="(\w+)" data-done="(yes|no)"', page))


def test_the_checklist_of_a_new_partner_then_of_one_that_did_everything(tenants):
    # Given a partner that has just signed, with no profile, team or training yet
    tenant = tenants.alice
    AgreementFactory(
        organisation=tenant.organisation,
        accepted_by=tenant.admin,
        accepted_at=timezone.now(),
        accepted_name="Ada Admin",
    )
    client = tenant.browser()
    page = client.get("/space/").content.decode()
    assert _steps(page) == {
        "agreement": "yes",
        "profile": "no",
        "team": "no",
        "sales_training": "no",
        "certifications": "no",
    }
    for url_name in (
        "partners:agreement",
        "partners:profile",
        "partners:team",
        "partners:training",
    ):
        assert f'href="{reverse(url_name)}"' in page

    # When it writes its profile, invites a colleague and gets trained and certified
    PartnerProfileFactory(organisation=tenant.organisation)
    InvitationFactory(organisation=tenant.organisation, invited_by=tenant.admin)
    SalesTrainingFactory(membership=tenant.membership)
    TechnicalCertificationFactory(membership=tenant.membership)

    # Then every step is done
    page = client.get("/space/").content.decode()
    assert set(_steps(page).values()) == {"yes"}
    assert "5 of 5 done" in page


def test_the_checklist_links_only_to_pages_the_role_may_open(tenants):
    sales = member_of(tenants.alice, role=roles.SALES)
    page = _client(sales.user).get("/space/").content.decode()
    assert f'href="{reverse("partners:training")}"' not in page
    assert len(_steps(page)) == 5


def test_the_checklist_costs_the_same_queries_however_much_data(tenants):
    tenant = tenants.alice
    organisation = tenant.organisation

    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            onboarding_checklist(
                organisation=organisation, role=roles.ADMIN, on=timezone.localdate()
            )
        return len(queries)

    few = count()
    AgreementFactory(organisation=organisation)
    PartnerProfileFactory(organisation=organisation)
    for _ in range(3):
        member = member_of(tenant)
        InvitationFactory(organisation=organisation, invited_by=tenant.admin)
        SalesTrainingFactory(membership=member)
        TechnicalCertificationFactory(membership=member)
    assert count() == few <= 6


def test_the_dashboard_states_the_tier_in_plain_words_and_the_channel_contact(tenants, settings):
    settings.CHANNEL_TEAM_EMAIL = "channel@vates.example"
    tier = tenants.alice.organisation.tier
    with observer():
        tier.min_certified_sales = 2
        tier.min_pes = 100
        tier.benefits = "Marketing development funds"
        tier.save()
        DiscountRule.objects.create(
            programme=tier.partner_type.programme,
            partner_type=tier.partner_type,
            tier_level=tier.level,
            engagement_model="partner_owned",
            percent=50,
        )
    page = tenants.alice.browser().get("/space/").content.decode()
    assert "Have at least 2 certified sales professionals" in page
    assert "Earn at least 100 partner engagement points" in page
    assert "Marketing development funds" in page
    assert "Partner-owned" in page
    assert "50%" in page
    assert "mailto:channel@vates.example" in page


# --- The agreement and the Documents page ----------------------------------------------------


def _agreement_page(membership) -> str:
    return _client(membership.user).get("/space/agreement/").content.decode()


def test_an_active_partner_without_an_agreement_is_told_it_is_in_force(tenants):
    page = _agreement_page(tenants.alice.membership)
    assert "In force" in page
    assert "Awaiting signature" not in page
    assert "no agreement to sign" not in page


def test_each_agreement_state_reads_as_itself(db, settings, tmp_path):
    settings.PRIVATE_MEDIA_ROOT = tmp_path
    organisation = OrganisationFactory(status=Organisation.Status.PENDING)
    admin = MembershipFactory(organisation=organisation, role=Membership.Role.ADMIN)
    sales = MembershipFactory(organisation=organisation, role=Membership.Role.SALES)

    page = _agreement_page(admin)  # approved, the agreement not created yet
    assert "Being prepared" in page
    assert "Awaiting signature" not in page

    agreement = AgreementFactory(
        organisation=organisation,
        pdf_status=Agreement.PdfStatus.PENDING,
        agreement_pdf=None,
        order_form_pdf=None,
    )
    page = _agreement_page(admin)
    assert "being generated" in page
    assert "Awaiting signature" not in page

    with observer():
        Agreement.objects.filter(pk=agreement.pk).update(pdf_status=Agreement.PdfStatus.READY)
    page = _agreement_page(admin)
    assert "Awaiting signature" in page
    assert "Sign the agreement" in page
    page = _agreement_page(sales)
    assert "Awaiting signature" in page
    assert "Sign the agreement" not in page
    assert "An administrator of" in page


def test_signing_confirms_itself_and_the_documents_stay_downloadable(db, settings, tmp_path):
    settings.PRIVATE_MEDIA_ROOT = tmp_path
    organisation = OrganisationFactory(status=Organisation.Status.PENDING)
    admin = MembershipFactory(organisation=organisation, role=Membership.Role.ADMIN)
    agreement = AgreementFactory(organisation=organisation)
    client = _client(admin.user)

    response = client.post("/space/agreement/", {"name": "Ada Admin", "accept": "on"}, follow=True)

    assert response.redirect_chain == [("/space/", 302)]
    page = response.content.decode()
    assert f"Agreement version {agreement.version} signed" in page
    assert _steps(page)["agreement"] == "yes"
    page = client.get("/space/agreement/").content.decode()
    assert "Signed" in page
    assert "Awaiting signature" not in page
    documents = client.get("/space/documents/").content.decode()
    assert "Signed by Ada Admin" in documents
    download = reverse("partners:agreement_document", args=[agreement.pk, "order-form"])
    assert download in documents
    assert client.get(download).status_code == 200


# --- Dates and wording ---------------------------------------------------------------------


def test_one_date_format_on_pages_and_in_emails(
    tenants, settings, django_capture_on_commit_callbacks
):
    from portal import formats

    assert (settings.DATE_FORMAT, settings.DATETIME_FORMAT) == (
        formats.DATE_FORMAT,
        formats.DATETIME_FORMAT,
    )
    moment = datetime.datetime(2026, 11, 29, 7, 3, tzinfo=datetime.UTC)
    assert formats.format_datetime(moment) == "29 Nov 2026, 07:03 UTC"
    # The admin's lists and read-only fields follow the same formats
    assert display_for_value(moment, "") == "29 Nov 2026, 07:03 UTC"
    assert display_for_value(moment.date(), "") == "29 Nov 2026"

    # An invitation email says when it expires in that format, never as an ISO string
    with django_capture_on_commit_callbacks(execute=True):
        invitation_create(
            organisation=tenants.alice.organisation,
            email="new@alice.example",
            role=roles.SALES,
            invited_by=tenants.alice.admin,
            base_url="https://portal.example",
        )
    body = mail.outbox[-1].body
    assert not ISO_TIMESTAMP.search(body)
    assert re.search(r"expires on \d{1,2} [A-Z][a-z]{2} \d{4}, \d{2}:\d{2} UTC", body)


def test_the_signed_agreement_emails_carry_no_iso_timestamp(
    db, settings, tmp_path, django_capture_on_commit_callbacks
):
    settings.PRIVATE_MEDIA_ROOT = tmp_path
    organisation = OrganisationFactory(status=Organisation.Status.PENDING)
    admin = MembershipFactory(organisation=organisation, role=Membership.Role.ADMIN)
    AgreementFactory(organisation=organisation)
    with django_capture_on_commit_callbacks(execute=True):
        _client(admin.user).post("/space/agreement/", {"name": "Ada Admin", "accept": "on"})
    signed = [m for m in mail.outbox if "signed" in m.body]
    assert signed
    for message in signed:
        assert not ISO_TIMESTAMP.search(message.body)
        assert "UTC UTC" not in message.body


def test_the_review_time_reads_the_same_on_the_page_and_in_the_email(db):
    ProgrammeFactory(is_default=True, application_review_days=10)
    page = Client().get("/apply/thanks/").content.decode()
    assert "Our channel team reviews applications within 10 days" in page
    template = "partners/emails/application_received_body.txt"
    from django.template.loader import render_to_string

    body = render_to_string(template, {"review_days": 10})
    assert "Our channel team reviews applications within 10 days" in body


def test_the_resellers_page_is_in_a_distributors_navigation_only():
    def customers(partner_type: str) -> list[str]:
        groups = space_navigation(
            role=roles.ADMIN, pending=False, path="/space/", partner_type=partner_type
        )
        return next(
            [link.label for link in group.links] for group in groups if group.label == "Customers"
        )

    assert "Resellers" in customers("distributor")
    assert "Resellers" not in customers("reseller")
