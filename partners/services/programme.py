"""Loading a programme's rules from its fixture (partners/programmes/<code>.json)."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

from django.db import transaction

from partners.models import DiscountRule, EmbargoedTerritory, PartnerType, Programme, Tier
from portal.audit.services import audit_record, audit_values
from portal.errors import DomainError

PROGRAMMES_DIR = Path(__file__).resolve().parent.parent / "programmes"

_PROGRAMME_FIELDS = [
    "name",
    "reporting_currency",
    "protection_window_days",
    "deal_review_days",
    "deal_expiry_reminder_days",
    "discount_requires_deal_registration",
    "min_customer_sales_per_year",
    "first_sale_credit",
    "nonprofit_discount_percent",
    "quote_validity_days",
    "min_years_in_operation",
    "requires_named_customer",
    "application_review_days",
    "agreement_version",
    "agreement_terms",
    "redemption_link_days",
    "redemption_reminder_days",
    "trial_days",
    "trial_max_days",
    "licence_expiry_reminder_days",
    "hold_licences_until_paid",
    "payment_review_days",
    "resale_terms_version",
    "resale_terms",
    "gross_exemption_join_year",
]
_TYPE_FIELDS = [
    "name",
    "description",
    "can_resell",
    "may_purchase_services_for_customers",
    "charity_discounts_allowed",
    "complimentary_nfr",
    "mdf_from_tier",
    "sales_account_manager_from_tier",
    "deal_engagement_targets_apply",
    "listed_in_locator",
    "commission_percent",
    "requires_customer_quote_signature",
    "evaluation_licence_users",
]
_DECIMALS = {
    "nonprofit_discount_percent",
    "min_gross_invoiced",
    "min_partner_owned_share",
    "max_co_led_share",
    "max_late_involvement_share",
    "commission_percent",
    "percent",
}


def available_programmes() -> list[str]:
    return sorted(p.stem for p in PROGRAMMES_DIR.glob("*.json"))


def _values(data: dict, fields: list[str] | None = None) -> dict:
    keys = fields if fields is not None else [k for k in data if not k.startswith("_")]
    return {
        key: (Decimal(data[key]) if key in _DECIMALS and data[key] is not None else data[key])
        for key in keys
        if key in data
    }


def _tier_defaults(partner_type: PartnerType, tier: dict) -> dict:
    values = {"name": ""}  # Tier.__str__ names it after its type and level
    # Every requirement not named in the fixture does not apply for that tier.
    for field in Tier._meta.concrete_fields:
        if field.name in {"id", "partner_type", "level", "name"}:
            continue
        values[field.name] = field.get_default()
    values.update(_values(tier))
    values.pop("level")
    return values


@transaction.atomic
def programme_load(*, code: str, make_default: bool | None = None) -> Programme:
    """Create or update the programme from its fixture. Types and tiers are updated in
    place (organisations point at them); discount rules and embargoes are replaced, so the
    fixture is the whole truth for them after loading."""
    path = PROGRAMMES_DIR / f"{code}.json"
    if not path.exists():
        raise DomainError(
            f"No programme fixture '{code}'. Available: {', '.join(available_programmes())}.",
            code="unknown_programme",
        )
    data = json.loads(path.read_text())
    before = _rules_snapshot(code=data["code"])

    programme, _ = Programme.objects.update_or_create(
        code=data["code"], defaults=_values(data, _PROGRAMME_FIELDS)
    )
    should_be_default = make_default if make_default is not None else data.get("is_default")
    if should_be_default and not programme.is_default:
        Programme.objects.filter(is_default=True).update(is_default=False)
        programme.is_default = True
        programme.save(update_fields=["is_default"])

    types = {}
    for type_data in data["partner_types"]:
        partner_type, _ = PartnerType.objects.update_or_create(
            programme=programme, code=type_data["code"], defaults=_values(type_data, _TYPE_FIELDS)
        )
        types[partner_type.code] = partner_type
        for tier in type_data["tiers"]:
            Tier.objects.update_or_create(
                partner_type=partner_type,
                level=tier["level"],
                defaults=_tier_defaults(partner_type, tier),
            )

    # Named by code in the fixture: the type exists only once its types are loaded.
    transition_type = types.get(data.get("transition_type") or "")
    if programme.transition_type_id != getattr(transition_type, "pk", None):
        programme.transition_type = transition_type
        programme.save(update_fields=["transition_type"])

    programme.discounts.all().delete()
    DiscountRule.objects.bulk_create(
        DiscountRule(
            programme=programme,
            partner_type=types[rule["partner_type"]] if rule.get("partner_type") else None,
            tier_level=rule.get("tier_level"),
            engagement_model=rule.get("engagement_model", ""),
            percent=Decimal(rule["percent"]),
        )
        for rule in data["discount_rules"]
    )
    programme.embargoes.all().delete()
    EmbargoedTerritory.objects.bulk_create(
        EmbargoedTerritory(
            programme=programme,
            country=entry["country"],
            region_code=entry.get("region_code", ""),
            region_name=entry.get("region_name", ""),
        )
        for entry in data["embargo"]
    )
    from pes.services.catalogue import catalogue_load  # pes imports partners' models

    catalogue_load(
        programme=programme,
        activities=data.get("pes_activities"),
        benefits=data.get("pes_benefits"),
    )
    after = _rules_snapshot(code=programme.code)
    changed = sorted(k for k in before.keys() | after.keys() if before.get(k) != after.get(k))
    if changed:  # loading an unchanged fixture again changes nothing, so records nothing
        audit_record(
            actor=None,  # the command (or seed) that loaded it, named by its context
            action="programme.loaded" if before else "programme.created",
            obj=programme,
            organisation=None,
            before=before,
            after=after,
            summary=(
                f"Programme {programme.name} created from its fixture"
                if not before
                else f"Programme {programme.name} loaded from its fixture: "
                f"{len(changed)} rule{'' if len(changed) == 1 else 's'} changed"
            ),
        )
    return programme


def _rules_snapshot(*, code: str) -> dict:
    """Every rule of the programme as flat keys (``type.reseller.tier.2.min_pes``), so
    that the audit record names exactly which rules a load changed."""
    programme = Programme.objects.filter(code=code).first()
    if programme is None:
        return {}
    values = {f"programme.{k}": v for k, v in audit_values(programme, _PROGRAMME_FIELDS).items()}
    values["programme.is_default"] = programme.is_default
    values["programme.transition_type"] = (
        programme.transition_type.code if programme.transition_type_id else None
    )
    for partner_type in programme.types.all():
        for key, value in audit_values(partner_type, _TYPE_FIELDS).items():
            values[f"type.{partner_type.code}.{key}"] = value
    tier_fields = [
        f.name for f in Tier._meta.concrete_fields if f.name not in {"id", "partner_type", "level"}
    ]
    for tier in Tier.objects.filter(partner_type__programme=programme).select_related(
        "partner_type"
    ):
        for key, value in audit_values(tier, tier_fields).items():
            values[f"type.{tier.partner_type.code}.tier.{tier.level}.{key}"] = value
    values["discount_rules"] = sorted(
        str(rule) for rule in programme.discounts.select_related("partner_type")
    )
    values["embargo"] = sorted(str(entry) for entry in programme.embargoes.all())
    from pes.services.catalogue import catalogue_snapshot  # pes imports partners' models

    values.update(catalogue_snapshot(programme=programme))
    return values
