import pytest
from django.core.management import call_command

from partners.models import Membership, Organisation
from portal.models import User

SPEC_ACCOUNTS = {
    # SPEC §5: account -> (organisation, type code, tier level, role)
    "staff@vendor.example": None,
    "reviewer@vendor.example": None,
    "finance@vendor.example": None,
    "programme@vendor.example": None,
    "admin@northwind.example": ("Northwind Distribution", "DE", "distributor", 2, "admin"),
    "sales@northwind.example": ("Northwind Distribution", "DE", "distributor", 2, "sales"),
    "admin@bluepeak.example": ("Bluepeak IT", "FR", "reseller", 1, "admin"),
    "admin@cloudnine.example": ("Cloud Nine Hosting", "US", "csp", 1, "admin"),
    # Beyond SPEC §5: a Xen Orchestra reseller shows the first-sale credit (issue 11).
    "admin@lagoon.example": ("Lagoon Integrazioni", "IT", "reseller", 1, "admin"),
}


def _snapshot():
    found = {}
    for user in User.objects.all():
        membership = (
            Membership.objects.select_related("organisation__partner_type", "organisation__tier")
            .filter(user=user)
            .first()
        )
        if membership is None:
            found[user.email] = None
            assert user.is_staff
            continue
        org = membership.organisation
        found[user.email] = (
            org.name,
            org.country.code,
            org.partner_type.code,
            org.tier.level,
            membership.role,
        )
    return found


@pytest.mark.django_db
def test_seed_demo_creates_exactly_the_spec_accounts_and_is_idempotent():
    call_command("seed_demo")
    first = _snapshot()
    history = Organisation.history.count() + Membership.history.count()
    call_command("seed_demo")

    assert first == SPEC_ACCOUNTS
    assert _snapshot() == SPEC_ACCOUNTS
    assert Organisation.objects.count() == 4  # the three of SPEC §5 and Lagoon
    assert all(u.check_password("demo-pass-2026") for u in User.objects.all())
    assert set(Organisation.objects.values_list("status", flat=True)) == {"active"}
    # Running it again changed nothing, so it wrote no change history either.
    assert Organisation.history.count() + Membership.history.count() == history


@pytest.mark.django_db
def test_seed_demo_staff_accounts_act_through_their_groups():
    call_command("seed_demo")
    call_command("seed_demo")

    staff = {
        u.email: (u.is_superuser, sorted(u.groups.values_list("name", flat=True)))
        for u in User.objects.filter(is_staff=True)
    }
    assert staff == {
        "staff@vendor.example": (True, []),
        "reviewer@vendor.example": (False, ["Channel reviewer"]),
        "finance@vendor.example": (False, ["Channel finance"]),
        "programme@vendor.example": (False, ["Programme manager"]),
    }
    reviewer = User.objects.get(email="reviewer@vendor.example")
    finance = User.objects.get(email="finance@vendor.example")
    manager = User.objects.get(email="programme@vendor.example")
    assert reviewer.has_perm("partners.review_application")
    assert not reviewer.has_perm("partners.change_tier")
    assert not finance.has_perm("partners.review_application")
    assert finance.has_perm("partners.view_organisation")
    assert manager.has_perm("partners.review_application")
    assert manager.has_perm("partners.change_discountrule")


@pytest.mark.django_db
def test_seed_demo_leaves_applications_waiting_for_review_one_of_them_late():
    from partners.models import PartnerApplication
    from partners.selectors.applications import application_queue_counts

    call_command("seed_demo")
    first = sorted(PartnerApplication.objects.values_list("company_name", "status", "submitted_at"))
    history = PartnerApplication.history.count()
    call_command("seed_demo")

    counts = application_queue_counts()
    assert (counts.waiting, counts.late) == (3, 1)
    assert {status for _, status, _ in first} == {"submitted"}
    # A second run changes nothing: the same applications, submitted when they were.
    assert (
        sorted(PartnerApplication.objects.values_list("company_name", "status", "submitted_at"))
        == first
    )
    assert PartnerApplication.history.count() == history


@pytest.mark.django_db
def test_seed_demo_keeps_a_decision_taken_on_a_demo_application():
    from partners.models import PartnerApplication
    from partners.services.applications import application_reject

    call_command("seed_demo")
    application = PartnerApplication.objects.get(company_name="Nordlys Hosting AS")
    application_reject(
        application=application,
        actor=User.objects.get(email="reviewer@vendor.example"),
        reason="Outside our territory plan.",
    )
    call_command("seed_demo")

    application.refresh_from_db()
    assert application.status == PartnerApplication.Status.REJECTED
    assert PartnerApplication.objects.count() == 3
