"""The catalogue as the seeds give it (SPEC §3.5), and issuing licences."""

import datetime
from decimal import Decimal

import pytest

from licensing.models import Licence, LicenceEvent, Product
from licensing.services.catalogue import catalogue_load
from licensing.services.licences import add_months, licence_issue
from partners.services.programme import programme_load
from portal.errors import DomainError
from portal.models import AuditEvent
from tests.factories import OrganisationFactory
from tests.licensing.factories import PlanFactory, ProductFactory, issue_licence

pytestmark = pytest.mark.django_db


@pytest.fixture
def vates():
    programme = programme_load(code="vates")
    catalogue_load(code="vates")
    return programme


def test_the_vates_bundles_are_seeded_exactly_as_the_spec(vates):
    products = {p.code: p for p in Product.objects.filter(programme=vates)}
    assert list(products) == ["essential", "essential-plus", "pro", "enterprise"]
    table = {
        code: (
            p.unit,
            p.min_quantity,
            p.max_quantity,
            p.plans.get(billing_period="yearly").price,
            p.plans.get(billing_period="yearly").currency,
        )
        for code, p in products.items()
    }
    assert table == {
        "essential": ("flat", 1, 3, Decimal("2000.00"), "USD"),
        "essential-plus": ("flat", 1, 3, Decimal("4000.00"), "USD"),
        "pro": ("per_host", 3, None, Decimal("1000.00"), "USD"),
        "enterprise": ("per_host", 4, None, Decimal("1800.00"), "EUR"),
    }
    tickets = {code: p.support_tickets_per_year for code, p in products.items()}
    assert tickets == {"essential": 6, "essential-plus": None, "pro": None, "enterprise": None}
    assert products["enterprise"].support_hours == "24x7"
    assert products["enterprise"].critical_response_hours == 1
    assert {c for c, p in products.items() if p.critical_response_hours == 24} == {
        "essential",
        "essential-plus",
        "pro",
    }
    assert {c for c, p in products.items() if p.complete_feature_access} == {
        "essential-plus",
        "enterprise",
    }
    assert {c for c, p in products.items() if p.setup_assistance} == {"enterprise"}
    assert all(
        p.hypervisor_licences_all_hosts and p.management_appliances == 1 for p in products.values()
    )


def test_loading_twice_changes_nothing_and_withdrawn_products_go_inactive(vates):
    catalogue_load(code="vates")
    assert Product.objects.filter(programme=vates).count() == 4
    extra = ProductFactory(programme=vates, code="legacy")
    catalogue_load(code="vates")
    extra.refresh_from_db()
    assert extra.is_active is False


def test_issue_copies_the_catalogue_so_later_edits_leave_the_licence_alone(vates):
    organisation = OrganisationFactory(partner_type=vates.types.get(code="reseller"))
    pro = Product.objects.get(programme=vates, code="pro")
    licence = issue_licence(organisation, product=pro, quantity=5, plan=pro.plans.get())

    pro.support_hours = "24x7"
    pro.name = "Pro 2"
    pro.save()
    licence.refresh_from_db()
    assert licence.product_name == "Vates VMS Pro"
    assert licence.entitlements["support_hours"] == "business_day"
    assert licence.status == Licence.Status.UNBOUND
    assert licence.billing_period == "yearly"
    assert licence.ends_on == add_months(licence.starts_on, 12) - datetime.timedelta(days=1)
    assert list(licence.events.values_list("kind", flat=True)) == [LicenceEvent.Kind.CREATED]
    assert AuditEvent.objects.filter(action="licence.created", object_id=str(licence.pk)).exists()


@pytest.mark.parametrize(
    ("code", "quantity", "error"),
    [
        ("pro", 2, "quantity_below_minimum"),
        ("enterprise", 3, "quantity_below_minimum"),
        ("essential", 4, "quantity_above_maximum"),
    ],
)
def test_quantities_outside_the_plan_are_refused(vates, code, quantity, error):
    organisation = OrganisationFactory(partner_type=vates.types.get(code="reseller"))
    product = Product.objects.get(programme=vates, code=code)
    with pytest.raises(DomainError) as exc:
        licence_issue(
            actor=None,
            organisation=organisation,
            product=product,
            plan=product.plans.get(),
            quantity=quantity,
        )
    assert exc.value.code == error
    assert exc.value.field == "quantity"
    assert not Licence.objects.exists()


def test_a_product_of_another_programme_is_refused(vates):
    organisation = OrganisationFactory(partner_type=vates.types.get(code="reseller"))
    other = ProductFactory()  # the test programme's
    with pytest.raises(DomainError) as exc:
        licence_issue(
            actor=None,
            organisation=organisation,
            product=other,
            plan=PlanFactory(product=other),
            quantity=3,
        )
    assert exc.value.code == "product_not_in_programme"


def test_a_trial_lasts_the_programme_trial_days_and_needs_no_plan():
    licence = issue_licence(kind="trial", starts_on=datetime.date(2026, 11, 1))
    assert licence.ends_on == datetime.date(2026, 11, 30)  # 30 days, both ends included
    assert licence.plan is None


def test_add_months_keeps_the_last_day_of_shorter_months():
    assert add_months(datetime.date(2026, 1, 31), 1) == datetime.date(2026, 2, 28)
    assert add_months(datetime.date(2028, 2, 29), 12) == datetime.date(2029, 2, 28)
    assert add_months(datetime.date(2026, 11, 30), 3) == datetime.date(2027, 2, 28)
