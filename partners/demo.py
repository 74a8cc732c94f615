"""Demo programmes, partners and accounts (SPEC §5)."""

from datetime import timedelta

from allauth.account.models import EmailAddress
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.utils import timezone

from partners.demo_marketing import seed_marketing
from partners.demo_sessions import seed_sessions
from partners.models import (
    Membership,
    Organisation,
    PartnerApplication,
    PartnerProfile,
    SalesTraining,
    TechnicalCertification,
    Tier,
)
from partners.services.programme import programme_load
from portal.staff_groups import (
    CHANNEL_FINANCE,
    CHANNEL_REVIEWER,
    PROGRAMME_MANAGER,
    staff_groups_sync,
)

ORGANISATIONS = [
    # name, country, city, type code, tier level, description
    (
        "Northwind Distribution",
        "DE",
        "Hamburg",
        "distributor",
        2,
        "Northwind Distribution supplies a network of more than eighty resellers and managed "
        "service providers across Germany, Austria and Switzerland with Vates virtualization "
        "subscriptions. Our channel team runs enablement days, pre-sales design reviews and "
        "first-line support in German, and helps partners migrate their customers from "
        "proprietary hypervisors with tested runbooks.",
    ),
    (
        "Bluepeak IT",
        "FR",
        "Lyon",
        "reseller",
        1,
        "Bluepeak IT is an infrastructure reseller for small and mid-sized companies in the "
        "Auvergne-Rhone-Alpes region. We size, quote and deliver XCP-ng and Xen Orchestra "
        "subscriptions for customers leaving VMware, and coordinate with the vendor's support "
        "team for anything beyond first-line questions.",
    ),
    (
        "Cloud Nine Hosting",
        "US",
        "Denver",
        "csp",
        1,
        "Cloud Nine Hosting runs a multi-tenant virtual machine cloud on XCP-ng from two data "
        "centres in Colorado and Virginia. Customers rent dedicated pools or self-service "
        "virtual machines, with backups and disaster recovery managed through Xen "
        "Orchestra, billed monthly.",
    ),
]

#: A partner of the Xen Orchestra programme (loaded for reference, not the active one), to
#: show its first-sale credit: its first customer sale at list price, the discount credited.
XO_ORGANISATIONS = [
    (
        "Lagoon Integrazioni",
        "IT",
        "Venice",
        "reseller",
        1,
        "Lagoon Integrazioni resells Xen Orchestra to manufacturers in the Veneto and runs "
        "their backup and disaster-recovery plans.",
    ),
]

ACCOUNTS = [
    # email, organisation name (None: channel team), role (staff: group), full name
    ("staff@vendor.example", None, None, "Channel Team"),
    # Channel-team accounts that are not superusers: each holds one role's group.
    ("reviewer@vendor.example", None, CHANNEL_REVIEWER, "Rita Reviewer"),
    ("finance@vendor.example", None, CHANNEL_FINANCE, "Felix Finance"),
    ("programme@vendor.example", None, PROGRAMME_MANAGER, "Paula Programme"),
    ("admin@northwind.example", "Northwind Distribution", Membership.Role.ADMIN, "Nina Weber"),
    ("sales@northwind.example", "Northwind Distribution", Membership.Role.SALES, "Sven Koch"),
    ("admin@bluepeak.example", "Bluepeak IT", Membership.Role.ADMIN, "Bastien Morel"),
    ("admin@cloudnine.example", "Cloud Nine Hosting", Membership.Role.ADMIN, "Carla Reyes"),
    ("admin@lagoon.example", "Lagoon Integrazioni", Membership.Role.ADMIN, "Luca Bianchi"),
]


APPLICATIONS = [
    # company, country, type code, days since submitted (the review time is 10 days), contact
    (
        "Alpine Cloud Services AG",
        "CH",
        "msp",
        13,
        ("Lukas Meier", "lukas.meier@alpinecloud.example"),
        "We run managed private clouds for 40 mid-sized Swiss companies and want to move "
        "them from VMware to XCP-ng with Xen Orchestra backups.",
    ),
    (
        "Lisboa Sistemas Lda",
        "PT",
        "reseller",
        4,
        ("Marta Silva", "marta.silva@lisboasistemas.example"),
        "Infrastructure reseller for public-sector customers in Portugal; two current "
        "tenders ask for an open-source hypervisor.",
    ),
    (
        "Nordlys Hosting AS",
        "NO",
        "csp",
        1,
        ("Erik Johansen", "erik@nordlys.example"),
        "Virtual machine hosting from two data centres in Oslo; we want to offer XCP-ng "
        "pools to our customers.",
    ),
]


def seed(*, stdout, password: str) -> None:
    programmes = {
        code: programme_load(code=code) for code in ("xen-orchestra", "opennebula", "mattermost")
    }
    vates = programme_load(code="vates", make_default=True)
    types = {t.code: t for t in vates.types.all()}
    xo_types = {t.code: t for t in programmes["xen-orchestra"].types.all()}
    rows = [(row, types) for row in ORGANISATIONS] + [(row, xo_types) for row in XO_ORGANISATIONS]

    organisations = {}
    for (name, country, city, type_code, level, description), types_of in rows:
        organisation = _upsert(
            Organisation,
            name=name,
            defaults={
                "country": country,
                "partner_type": types_of[type_code],
                "tier": Tier.objects.get(partner_type=types_of[type_code], level=level),
                "status": Organisation.Status.ACTIVE,
                "joined_on": timezone.localdate().replace(month=1, day=15, year=2025),
            },
        )
        PartnerProfile.objects.update_or_create(
            organisation=organisation,
            defaults={
                "display_name": name,
                "description": description,
                "city": city,
                "country": country,
                "website": f"https://www.{name.split()[0].lower()}.example",
            },
        )
        organisations[name] = organisation

    staff_groups_sync()
    user_model = get_user_model()
    for email, organisation_name, role, full_name in ACCOUNTS:
        is_staff = organisation_name is None
        group_name = role if is_staff else None
        user, _ = user_model.objects.update_or_create(
            email=email,
            defaults={
                "is_staff": is_staff,
                # The one superuser administers accounts; the others act through groups.
                "is_superuser": is_staff and group_name is None,
                "is_active": True,
                "full_name": full_name,
            },
        )
        user.set_password(password)
        user.save(update_fields=["password"])
        EmailAddress.objects.update_or_create(
            user=user, email=email, defaults={"verified": True, "primary": True}
        )
        if group_name:
            user.groups.set([Group.objects.get(name=group_name)])
        if organisation_name:
            _upsert(
                Membership,
                user=user,
                defaults={"organisation": organisations[organisation_name], "role": role},
            )
    _seed_training(organisations["Northwind Distribution"])
    _seed_applications(vates, types)
    seed_sessions(stdout=stdout)
    seed_marketing(stdout)
    stdout.write(
        f"  partners: {len(organisations)} organisations, {len(ACCOUNTS)} accounts, "
        f"{len(APPLICATIONS)} applications"
    )


def _seed_applications(programme, types) -> None:
    """Applications waiting for review, one of them past the programme's review time, so
    the channel team's queue is alive on first login. Each is added once: one the demo
    reviewer has decided on stays decided when the seed runs again."""
    for company, country, type_code, days, (name, email), expectations in APPLICATIONS:
        if PartnerApplication.objects.filter(company_name=company).exists():
            continue
        application = PartnerApplication.objects.create(
            programme=programme,
            partner_type=types[type_code],
            company_name=company,
            country=country,
            website=f"https://www.{company.split()[0].lower()}.example",
            years_in_operation=8,
            contact_name=name,
            contact_email=email,
            expectations=expectations,
        )
        # submitted_at is set on creation (auto_now_add): back-date it without a second
        # history row.
        PartnerApplication.objects.filter(pk=application.pk).update(
            submitted_at=timezone.now() - timedelta(days=days)
        )


def _upsert(model, *, defaults: dict, **lookup):
    """update_or_create that saves only what differs, so running the seed again adds no
    change-history rows for organisations and memberships."""
    obj = model.objects.filter(**lookup).first()
    if obj is None:
        return model.objects.create(**lookup, **defaults)
    changed = [name for name, value in defaults.items() if getattr(obj, name) != value]
    if changed:
        for name in changed:
            setattr(obj, name, defaults[name])
        obj.save(update_fields=changed)
    return obj


def _seed_training(organisation) -> None:
    """Northwind meets its tier 2 training requirements: one trained sales professional,
    one certified technical expert."""
    today = timezone.localdate()
    for membership in Membership.objects.filter(organisation=organisation).select_related("user"):
        person = {
            "organisation": organisation,
            "membership": membership,
            "person_name": membership.user.full_name,
            "person_email": membership.user.email,
        }
        if membership.role == Membership.Role.SALES:
            SalesTraining.objects.update_or_create(
                **person,
                defaults={
                    "attended_on": today - timedelta(days=120),
                    "session": "Sales training (two hours)",
                },
            )
        if membership.role == Membership.Role.ADMIN:
            TechnicalCertification.objects.update_or_create(
                **person,
                name="Certified Virtualization Engineer",
                defaults={
                    "obtained_on": today - timedelta(days=300),
                    "expires_on": today + timedelta(days=800),
                },
            )
