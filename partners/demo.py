"""Demo partners and accounts (SPEC §5)."""

from allauth.account.models import EmailAddress
from django.contrib.auth import get_user_model

from partners.models import Membership, Organisation, PartnerType, Tier

# The Vates programme's partner types (SPEC §3.1), each with tiers 1-4 (SPEC §3.2).
PARTNER_TYPES = [
    ("distributor", "Distributor"),
    ("msp", "Managed Service Provider"),
    ("reseller", "Reseller"),
    ("csp", "Cloud Service Provider"),
    ("order_taker", "Order Taker"),
]

ORGANISATIONS = [
    # name, country, type code, tier level
    ("Northwind Distribution", "DE", "distributor", 2),
    ("Bluepeak IT", "FR", "reseller", 1),
    ("Cloud Nine Hosting", "US", "csp", 1),
]

ACCOUNTS = [
    # email, organisation name (None: channel team), role
    ("staff@vendor.example", None, None),
    ("admin@northwind.example", "Northwind Distribution", Membership.Role.ADMIN),
    ("sales@northwind.example", "Northwind Distribution", Membership.Role.SALES),
    ("admin@bluepeak.example", "Bluepeak IT", Membership.Role.ADMIN),
    ("admin@cloudnine.example", "Cloud Nine Hosting", Membership.Role.ADMIN),
]


def seed(*, stdout, password: str) -> None:
    types = {}
    for code, name in PARTNER_TYPES:
        types[code], _ = PartnerType.objects.update_or_create(code=code, defaults={"name": name})
        for level in range(1, 5):
            Tier.objects.update_or_create(
                partner_type=types[code], level=level, defaults={"name": f"{name} tier {level}"}
            )

    organisations = {}
    for name, country, type_code, level in ORGANISATIONS:
        organisations[name], _ = Organisation.objects.update_or_create(
            name=name,
            defaults={
                "country": country,
                "partner_type": types[type_code],
                "tier": Tier.objects.get(partner_type=types[type_code], level=level),
                "status": Organisation.Status.ACTIVE,
            },
        )

    user_model = get_user_model()
    for email, organisation_name, role in ACCOUNTS:
        is_staff = organisation_name is None
        user, _ = user_model.objects.update_or_create(
            email=email,
            defaults={"is_staff": is_staff, "is_superuser": is_staff, "is_active": True},
        )
        user.set_password(password)
        user.save(update_fields=["password"])
        EmailAddress.objects.update_or_create(
            user=user, email=email, defaults={"verified": True, "primary": True}
        )
        if organisation_name:
            Membership.objects.update_or_create(
                user=user,
                defaults={"organisation": organisations[organisation_name], "role": role},
            )
    stdout.write(f"  partners: {len(organisations)} organisations, {len(ACCOUNTS)} accounts")
