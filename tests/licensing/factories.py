"""Catalogue factories, and licences issued through licensing's service (the only way a
licence comes to exist)."""

from decimal import Decimal

import factory

from licensing.models import Licence, Plan, Product
from licensing.services.licences import licence_issue
from tests.factories import OrganisationFactory, ProgrammeFactory, SystemFactory
from tests.tenancy_support import observer


class ProductFactory(SystemFactory):
    class Meta:
        model = Product
        django_get_or_create = ("programme", "code")

    programme = factory.SubFactory(ProgrammeFactory)
    code = "pro"
    name = "Pro"
    family = "Vates VMS"
    unit = "per_host"
    quantity_noun = "hosts"
    min_quantity = 3
    max_quantity = None
    support_tickets_per_year = None
    support_hours = "business_day"
    critical_response_hours = 24
    hypervisor_licences_all_hosts = True
    management_appliances = 1
    machine_limit = 2


class PlanFactory(SystemFactory):
    class Meta:
        model = Plan
        django_get_or_create = ("product", "billing_period")

    product = factory.SubFactory(ProductFactory)
    billing_period = "yearly"
    currency = "USD"
    price = Decimal("1000.00")


def issue_licence(organisation=None, *, product=None, quantity=None, **kwargs) -> Licence:
    """A customer licence of ``product`` (a Pro, yearly, by default) issued to
    ``organisation`` (a new partner by default) by the platform."""
    organisation = organisation or OrganisationFactory()
    if product is None:
        product = ProductFactory(programme=organisation.partner_type.programme)
    kwargs.setdefault(
        "plan",
        PlanFactory(product=product) if kwargs.get("kind", "customer") == "customer" else None,
    )
    with observer():
        return licence_issue(
            actor=None,
            organisation=organisation,
            product=product,
            quantity=quantity if quantity is not None else product.min_quantity,
            **kwargs,
        )
