"""Demo catalogue and licences (SPEC §5): the Vates VMS bundles and, for each demo
partner, licences in the states a partner meets first: unbound, bound to a customer but
not yet redeemed, active (redeemed by a fixed demo customer, its appliance activated on
one machine), and a trial in progress.

Idempotent: each demo licence carries a ``demo:<slot>`` source and is issued only when
its partner has none with that source yet; the bound and active slots are issued, bound
and redeemed in one transaction, through the same services as a partner and a customer.
The licence key exists only at redemption (it is never stored), so the active licence's
machine is activated with it right there, in the same transaction.
"""

import datetime

from django.db import transaction
from django.utils import timezone

from licensing.models import Licence, Product, TrialExtensionRequest
from licensing.services.activation import activation_activate
from licensing.services.binding import licence_bind
from licensing.services.catalogue import available_catalogues, catalogue_load
from licensing.services.licences import licence_issue
from licensing.services.redemption import licence_redeem
from licensing.services.trials import trial_extension_request, trial_request
from partners import roles
from partners.models import Membership, Organisation, Programme

DEMO_PARTNERS = ["Northwind Distribution", "Bluepeak IT", "Cloud Nine Hosting"]

# slot, product code, quantity
UNBOUND = [("demo:unbound-1", "pro", 3), ("demo:unbound-2", "essential", 2)]
BOUND = ("demo:bound", "pro", 4)
ACTIVE = ("demo:active", "essential-plus", 3)

# The end customer of each demo partner: bound email, organisation, country, installation.
CUSTOMERS = {
    "Northwind Distribution": (
        "it@hansa-logistik.example",
        "Hansa Logistik GmbH",
        "DE",
        "Hamburg warehouse cluster",
    ),
    "Bluepeak IT": ("dsi@ateliers-rhone.example", "Ateliers Rhone SARL", "FR", "Lyon main site"),
    "Cloud Nine Hosting": (
        "ops@frontrange-dental.example",
        "Front Range Dental Group",
        "US",
        "Denver clinic servers",
    ),
}
# The machine (fingerprint, hostname) each demo customer's appliance activated the licence on.
MACHINES = {
    "Northwind Distribution": ("demo-hansa-logistik-xoa-01", "xoa-hamburg-01"),
    "Bluepeak IT": ("demo-ateliers-rhone-xoa-01", "xoa-lyon-01"),
    "Cloud Nine Hosting": ("demo-frontrange-dental-xoa-01", "xoa-denver-01"),
}
# Who waits for a link (bound, not redeemed): a second contact at the same customer.
WAITING = {
    "Northwind Distribution": "einkauf@hansa-logistik.example",
    "Bluepeak IT": "achats@ateliers-rhone.example",
    "Cloud Nine Hosting": "purchasing@frontrange-dental.example",
}
# Two-tier distribution: a reseller's licence supplied through a distributor, which reads
# it (read-only) in its own licence list. (slot, reseller, distributor, product, quantity)
SUPPLIED = [("demo:supplied-1", "Bluepeak IT", "Northwind Distribution", "enterprise", 4)]

# A trial in progress for each demo partner: prospect, project, product, quantity, days ago.
TRIALS = {
    "Northwind Distribution": ("Hafen Logistik GmbH", "VMware exit, 2 clusters", "pro", 4, 12),
    "Bluepeak IT": ("Clinique du Parc", "Backup PoC", "essential", 2, 5),
    "Cloud Nine Hosting": ("Front Range Credit Union", "DR site", "pro", 3, 20),
}
#: The demo partner whose trial waits for the channel team's extension decision.
EXTENSION_PARTNER = "Northwind Distribution"


def seed(*, stdout, password: str) -> None:
    loaded = set(Programme.objects.values_list("code", flat=True))
    for code in available_catalogues():
        if code in loaded:
            catalogue_load(code=code)
    count = 0
    trials = 0
    for organisation in Organisation.objects.filter(name__in=DEMO_PARTNERS):
        count += _seed_unbound(organisation)
        count += _seed_customer_licences(organisation)
        trials += _seed_trial(organisation)
    count += _seed_supplied()
    stdout.write(
        f"  licensing: catalogues loaded, {count} demo licences and {trials} trials issued"
    )


def _first_admin(organisation):
    """The partner's first administrator (its membership), who acts for the demo."""
    return (
        Membership.objects.filter(organisation=organisation, role=roles.ADMIN)
        .select_related("user")
        .order_by("created_at")
        .first()
    )


def _has_slot(organisation, source: str) -> bool:
    return Licence.objects.filter(organisation=organisation, source=source).exists()


def _issue_yearly(organisation, product, *, quantity: int, source: str, distributor=None):
    """Issue the demo slot ``source``: a customer licence of ``product`` at its yearly plan."""
    return licence_issue(
        actor=None,
        organisation=organisation,
        distributor=distributor,
        product=product,
        plan=product.plans.get(billing_period="yearly"),
        quantity=quantity,
        source=source,
    )


def _seed_unbound(organisation) -> int:
    products = {
        p.code: p for p in Product.objects.filter(programme=organisation.partner_type.programme)
    }
    issued = 0
    for source, code, quantity in UNBOUND:
        if _has_slot(organisation, source):
            continue
        _issue_yearly(organisation, products[code], quantity=quantity, source=source)
        issued += 1
    return issued


def _seed_trial(organisation) -> int:
    """A trial in progress (slot ``demo:trial``) and, for one partner, a pending request to
    extend it beyond the programme's maximum."""
    if organisation.name not in TRIALS:
        return 0
    admin = _first_admin(organisation)
    if admin is None:
        return 0
    licence = Licence.objects.filter(organisation=organisation, source="demo:trial").first()
    issued = 0
    if licence is None:
        prospect, project, code, quantity, days_ago = TRIALS[organisation.name]
        licence = trial_request(
            actor=admin.user,
            organisation=organisation,
            role=roles.ADMIN,
            product=code,
            quantity=quantity,
            prospect_name=prospect,
            project=project,
            starts_on=timezone.localdate() - datetime.timedelta(days=days_ago),
            source="demo:trial",
        )
        issued = 1
    if (
        organisation.name == EXTENSION_PARTNER
        and licence.ends_on >= timezone.localdate()
        and not TrialExtensionRequest.objects.filter(licence=licence).exists()
    ):
        trial_extension_request(
            actor=admin.user,
            organisation=organisation,
            role=roles.ADMIN,
            licence=licence,
            ends_on=licence.starts_on + datetime.timedelta(days=120),
            project_details="Hafen Logistik migrates two VMware clusters (38 hosts) in three "
            "waves; the second wave's change window is in 10 weeks and they want the trial "
            "to cover it before ordering Pro for all hosts.",
        )
    return issued


def _seed_supplied() -> int:
    issued = 0
    for source, reseller_name, distributor_name, code, quantity in SUPPLIED:
        reseller = Organisation.objects.filter(name=reseller_name).first()
        distributor = Organisation.objects.filter(name=distributor_name).first()
        if reseller is None or distributor is None:
            continue
        if _has_slot(reseller, source):
            continue
        product = Product.objects.get(programme=reseller.partner_type.programme, code=code)
        _issue_yearly(reseller, product, quantity=quantity, source=source, distributor=distributor)
        issued += 1
    return issued


def _seed_customer_licences(organisation) -> int:
    """One licence bound but not redeemed, one active: bound by the partner's admin and
    redeemed by its demo customer, through binding and redemption's services."""
    if organisation.name not in CUSTOMERS:
        return 0
    admin = _first_admin(organisation)
    if admin is None:
        return 0
    email, customer, country, installation = CUSTOMERS[organisation.name]
    issued = 0
    for (source, code, quantity), redeemed in ((BOUND, False), (ACTIVE, True)):
        if _has_slot(organisation, source):
            continue
        product = Product.objects.get(programme=organisation.partner_type.programme, code=code)
        with transaction.atomic():
            licence = _issue_yearly(organisation, product, quantity=quantity, source=source)
            link = licence_bind(
                actor=admin.user,
                licence=licence,
                email=email if redeemed else WAITING[organisation.name],
            )
            if redeemed:
                redemption = licence_redeem(
                    link_id=link.pk,
                    organisation_name=customer,
                    country=country,
                    installation_name=installation,
                    accept_terms=True,
                    terms_version=product.programme.resale_terms_version,
                )
                fingerprint, hostname = MACHINES[organisation.name]
                activation_activate(key=redemption.key, fingerprint=fingerprint, hostname=hostname)
        issued += 1
    return issued
