"""The programmes as data. The seeds' tables are the oracle (SPEC §3.1, §3.2)."""

import importlib
from decimal import Decimal

import pytest
from django.apps import apps as django_apps
from django.core.management import call_command
from django.core.management.base import CommandError

from partners.models import DiscountRule, PartnerType, Programme, Tier
from partners.selectors.programme import default_programme, discount_percent, is_embargoed

# SPEC §3.2, Distributor: level -> (gross, L1 support, sales, technical, PES, owned, co-led,
# late, webinars)
DISTRIBUTOR_TIERS = {
    1: ("0", False, None, None, 50, "20", "40", "40", None),
    2: ("100000", True, 1, 1, 100, "40", "30", "30", 1),
    3: ("300000", True, 2, 2, 200, "60", "20", "20", 2),
    4: ("600000", True, 3, 3, 300, "80", "10", "10", 3),
}

# Vates comparison table: code -> (services for customers, charity, NFR, MDF from, SAM from,
# deal engagement targets)
VATES_TYPES = {
    "distributor": (True, True, True, 1, 1, True),
    "msp": (True, True, True, 3, 3, True),
    "reseller": (False, True, False, 3, 3, False),
    "csp": (False, False, False, 3, 3, False),
    "order_taker": (True, True, False, None, None, True),
}


@pytest.fixture
def programmes(db):
    for name in ("xen-orchestra", "opennebula", "mattermost", "vates"):
        call_command("load_programme", name, stdout=None)
    return {p.code: p for p in Programme.objects.all()}


def _type(programmes, programme, code) -> PartnerType:
    return programmes[programme].types.get(code=code)


def test_all_four_programmes_load_and_vates_is_the_default(programmes):
    assert set(programmes) == {"vates", "xen-orchestra", "opennebula", "mattermost"}
    assert default_programme().code == "vates"


def test_loading_again_changes_nothing(programmes):
    before = (PartnerType.objects.count(), Tier.objects.count(), DiscountRule.objects.count())
    call_command("load_programme", "vates", stdout=None)
    assert (
        PartnerType.objects.count(),
        Tier.objects.count(),
        DiscountRule.objects.count(),
    ) == before


def test_an_unknown_programme_is_refused():
    with pytest.raises(CommandError, match="invalid choice"):
        call_command("load_programme", "nope")


def test_vates_distributor_tiers_are_spec_3_2_exactly(programmes):
    distributor = _type(programmes, "vates", "distributor")
    for level, expected in DISTRIBUTOR_TIERS.items():
        tier = distributor.tiers.get(level=level)
        actual = (
            tier.min_gross_invoiced,
            tier.level1_support_required,
            tier.min_certified_sales,
            tier.min_certified_technical,
            tier.min_pes,
            tier.min_partner_owned_share,
            tier.max_co_led_share,
            tier.max_late_involvement_share,
            tier.min_webinars,
        )
        gross, support, sales, tech, pes, owned, co_led, late, webinars = expected
        assert actual == (
            Decimal(gross),
            support,
            sales,
            tech,
            pes,
            Decimal(owned),
            Decimal(co_led),
            Decimal(late),
            webinars,
        ), level
    # Sales training is required for the upgrade to tiers 3 and 4 (SPEC §3.3).
    assert [t.requires_sales_training_for_upgrade for t in distributor.tiers.all()] == [
        False,
        False,
        True,
        True,
    ]


def test_vates_tier_3_key_values(programmes):
    tier = _type(programmes, "vates", "distributor").tiers.get(level=3)
    assert tier.min_pes == 200
    assert tier.min_partner_owned_share == Decimal("60")
    assert tier.max_co_led_share == Decimal("20")


def test_vates_type_capabilities_follow_the_comparison_table(programmes):
    for code, expected in VATES_TYPES.items():
        t = _type(programmes, "vates", code)
        assert (
            t.may_purchase_services_for_customers,
            t.charity_discounts_allowed,
            t.complimentary_nfr,
            t.mdf_from_tier,
            t.sales_account_manager_from_tier,
            t.deal_engagement_targets_apply,
        ) == expected, code
        assert t.listed_in_locator
        assert t.can_resell


@pytest.mark.parametrize(
    ("code", "tier", "engagement", "percent"),
    [
        ("distributor", 1, "partner_owned", "50"),
        ("distributor", 4, "co_led_partner", "30"),
        ("distributor", 3, "co_led_vendor", "30"),
        ("distributor", 2, "late_involvement", "10"),
        ("msp", 4, "late_involvement", "50"),
        ("reseller", 2, "partner_owned", "20"),
        ("csp", 1, "co_led_vendor", "5"),
        ("order_taker", 1, "partner_owned", "0"),
    ],
)
def test_vates_discounts(programmes, code, tier, engagement, percent):
    partner_type = _type(programmes, "vates", code)
    assert discount_percent(
        partner_type=partner_type, tier_level=tier, engagement_model=engagement
    ) == Decimal(percent)


def test_the_most_specific_discount_rule_wins_and_changes_apply_at_once(programmes):
    distributor = _type(programmes, "vates", "distributor")
    DiscountRule.objects.create(
        programme=programmes["vates"],
        partner_type=distributor,
        tier_level=4,
        engagement_model="partner_owned",
        percent=Decimal("55"),
    )
    assert discount_percent(
        partner_type=distributor, tier_level=4, engagement_model="partner_owned"
    ) == Decimal("55")
    assert discount_percent(
        partner_type=distributor, tier_level=3, engagement_model="partner_owned"
    ) == Decimal("50")

    DiscountRule.objects.filter(partner_type=distributor, engagement_model="co_led_partner").update(
        percent=Decimal("35")
    )
    assert discount_percent(
        partner_type=distributor, tier_level=2, engagement_model="co_led_partner"
    ) == Decimal("35")
    # The vendor-led kind has a rule of its own: unchanged.
    assert discount_percent(
        partner_type=distributor, tier_level=2, engagement_model="co_led_vendor"
    ) == Decimal("30")


def test_a_co_led_rule_of_before_becomes_one_rule_for_each_kind_of_co_led(programmes):
    # Given a rule written when co-led was one engagement model
    split = importlib.import_module("partners.migrations.0013_split_co_led_rules").split
    csp = _type(programmes, "vates", "csp")
    DiscountRule.objects.create(
        programme=programmes["vates"],
        partner_type=csp,
        tier_level=3,
        engagement_model="co_led",
        percent=Decimal("33"),
    )
    # When the data migration runs
    split(django_apps, None)
    # Then both kinds of co-led carry its percent, and no "co_led" rule is left
    assert not DiscountRule.objects.filter(engagement_model="co_led").exists()
    for kind in ("co_led_partner", "co_led_vendor"):
        assert discount_percent(partner_type=csp, tier_level=3, engagement_model=kind) == (
            Decimal("33")
        )


@pytest.mark.parametrize(
    ("country", "region", "refused"),
    [
        ("CU", "", True),
        ("IR", "", True),
        ("KP", "", True),
        ("SY", "", True),
        ("UA", "Crimea", True),
        ("UA", "UA-14", True),
        ("UA", "luhansk", True),
        ("UA", "Kyiv", False),
        ("UA", "", False),
        ("DE", "", False),
    ],
)
def test_the_embargo(programmes, country, region, refused):
    assert is_embargoed(programme=programmes["vates"], country=country, region=region) is refused


def test_mattermost(programmes):
    mattermost = programmes["mattermost"]
    assert mattermost.discount_requires_deal_registration is True
    assert mattermost.min_years_in_operation == 2
    assert mattermost.requires_named_customer is True
    assert set(mattermost.types.values_list("code", flat=True)) == {
        "authorized_reseller",
        "value_added_reseller",
        "system_integrator",
    }
    var = _type(programmes, "mattermost", "value_added_reseller")
    assert var.requires_customer_quote_signature is True
    assert var.evaluation_licence_users == 50
    integrator = _type(programmes, "mattermost", "system_integrator")
    assert integrator.can_resell is False
    assert integrator.listed_in_locator is True


def test_opennebula_referral_partners_earn_commission_and_do_not_resell(programmes):
    referral = _type(programmes, "opennebula", "referral")
    assert referral.can_resell is False
    assert referral.commission_percent == Decimal("10")


def test_xen_orchestra(programmes):
    xo = programmes["xen-orchestra"]
    assert xo.min_customer_sales_per_year == 2
    assert xo.first_sale_credit is True
    assert list(xo.types.values_list("code", flat=True)) == ["reseller"]
