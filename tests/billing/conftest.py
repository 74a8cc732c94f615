"""The Vates programme as seeded (programme, catalogue, vendor in France) and partners of
its types and tiers, for the billing tests: the seed's tables are the oracle."""

from __future__ import annotations

import pytest

from billing.models import BillingAccount
from licensing.services.catalogue import catalogue_load
from partners.models import Membership, Organisation, Tier
from partners.services.programme import programme_load
from portal.demo import VATES
from portal.tenancy.context import system_context
from portal.vendor.services import vendor_update
from tests.conftest import Tenant
from tests.factories import MembershipFactory, OrganisationFactory
from tests.tenancy_support import observer


@pytest.fixture
def vates(db):
    """The Vates programme, its four VMS bundles and Vates SAS (France) as the vendor."""
    with system_context("command:seed_demo"):
        programme = programme_load(code="vates", make_default=True)
        catalogue_load(code="vates")
        vendor_update(changes=VATES, actor=None)
    return programme


def make_partner(
    programme,
    *,
    type_code: str,
    tier: int = 1,
    country: str = "FR",
    vat_number: str = "",
    distributor: Organisation | None = None,
    name: str | None = None,
    role: str = Membership.Role.ADMIN,
) -> Tenant:
    """A partner of ``programme``'s type and tier, with an administrator (``role``) and,
    with ``vat_number``, a billing account carrying it (validated as the service would)."""
    from billing.tax import vat_number_valid

    partner_type = programme.types.get(code=type_code)
    name = (
        name
        or f"{type_code.title()} {tier} {country} {OrganisationFactory._meta.model.objects.count()}"
    )
    organisation = OrganisationFactory(
        name=name,
        country=country,
        partner_type=partner_type,
        tier=Tier.objects.get(partner_type=partner_type, level=tier),
        distributor=distributor,
    )
    membership = MembershipFactory(
        organisation=organisation,
        user__email=f"{role}@{name.replace(' ', '').lower()}.example",
        role=role,
    )
    if vat_number:
        with observer():
            BillingAccount.objects.create(
                organisation=organisation,
                legal_name=name,
                country=country,
                vat_number=vat_number,
                vat_number_valid=vat_number_valid(vat_number, country=country),
            )
    return Tenant(organisation=organisation, admin=membership.user, membership=membership)


@pytest.fixture
def partner(vates):
    """``partner(type_code, tier=1, country="FR", ...)``: a Vates partner."""

    def make(type_code: str, **kwargs) -> Tenant:
        return make_partner(vates, type_code=type_code, **kwargs)

    return make


@pytest.fixture
def vates_committed(transactional_db):
    """``vates`` for transaction=True tests (real threads, a live server). A flush after
    an earlier such test empties the tables the migrations filled: the VAT rates are
    loaded again, as migration 0002 does, and the starting currency rates (0004)."""
    from importlib import import_module

    from django.apps import apps

    with system_context("command:seed_demo"):
        programme = programme_load(code="vates", make_default=True)
        catalogue_load(code="vates")
        vendor_update(changes=VATES, actor=None)
    with observer():
        import_module("billing.migrations.0002_eu_vat_rates").add_rates(apps, None)
        import_module("billing.migrations.0004_invoices").add_starting_rates(apps, None)
    return programme


@pytest.fixture
def xo(vates):
    """The Xen Orchestra programme (first-sale credit on) and its catalogue, beside Vates
    (which brings the vendor and the VAT rates)."""
    from tests.billing.credit_support import load_xen_orchestra

    return load_xen_orchestra()


@pytest.fixture
def xo_partner(xo):
    """``xo_partner(country="DE", vat_number=...)``: a Xen Orchestra reseller (20%), in
    Germany with a valid VAT number by default (reverse charge: no VAT)."""
    from tests.billing.credit_support import DE_VAT

    def make(**kwargs) -> Tenant:
        kwargs.setdefault("country", "DE")
        kwargs.setdefault("vat_number", DE_VAT)
        return make_partner(xo, type_code="reseller", **kwargs)

    return make


@pytest.fixture
def xo_committed(vates_committed):
    """``xo`` for transaction=True tests."""
    from tests.billing.credit_support import load_xen_orchestra

    return load_xen_orchestra()
