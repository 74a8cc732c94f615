"""Demo billing data (SPEC §5): billing accounts with valid VAT numbers, Bluepeak attached
to Northwind (two-tier) with Northwind's default resale discount, and orders for each demo
partner placed through the same services as the partners' own (``order_place``,
``order_place_for_reseller``): Northwind's order linked to its partner-owned registration
(Kieler Werft, already won) and a batch of redemption codes; Bluepeak's order through
Northwind and one for its own use (personal space); Cloud Nine's order from the US
(export, no VAT); and one Northwind places for Bluepeak. Quotes through the quote
services (``quote_create``, ``quote_send_to_customer``, ``quote_sign``, ``quote_convert``):
Bluepeak's open one and one sent to its customer for signature; Northwind's signed one,
converted into an order, and an open one; each with its two PDFs rendered in the seed
(the render task's service, run in place), so they are ready to download. Each order
is invoiced as it is placed; the invoices' PDFs are rendered in the seed too.

Idempotent: each order carries an ``Idempotency-Key`` (``demo:<slot>``), so a second run
finds the first order instead of placing another; a quote is known by its customer's
email (one demo quote per address). Accounts and the resale discount are set only when
missing, so what a demo user changed stays. Placing an order emails the
partner's administrators (the demo addresses), as it would for a partner.
"""

from __future__ import annotations

from decimal import Decimal

from django.contrib.auth import get_user_model

from billing.demo_credits import seed_credits
from billing.demo_mdf import seed_mdf
from billing.demo_payments import seed_payments
from billing.models import BillingAccount, InvoiceDocument, Quote, ResellerDiscount
from billing.services.accounts import billing_account_update
from billing.services.invoice_pdfs import invoice_render_document
from billing.services.orders import order_place, order_place_for_reseller
from billing.services.quote_pdfs import quote_render_documents
from billing.services.quote_signature import quote_sign, signature_token
from billing.services.quotes import quote_convert, quote_create, quote_send_to_customer
from billing.services.reseller_terms import reseller_discount_set
from deals.models import Deal
from partners import roles
from partners.models import Membership, Organisation
from partners.services.organisations import organisation_update

NORTHWIND, BLUEPEAK, CLOUD_NINE = "Northwind Distribution", "Bluepeak IT", "Cloud Nine Hosting"
LAGOON = "Lagoon Integrazioni"  # a Xen Orchestra reseller: the first-sale credit

ACCOUNTS = {
    NORTHWIND: {
        "legal_name": "Northwind Distribution GmbH",
        "address": "Am Sandtorkai 12\n20457 Hamburg",
        "country": "DE",
        "vat_number": "DE136695976",
        "invoice_email": "rechnungen@northwind.example",
    },
    BLUEPEAK: {
        "legal_name": "Bluepeak IT SAS",
        "address": "14 rue de la République\n69002 Lyon",
        "country": "FR",
        "vat_number": "FR40303265045",
        "invoice_email": "compta@bluepeak.example",
    },
    CLOUD_NINE: {
        "legal_name": "Cloud Nine Hosting LLC",
        "address": "1600 Glenarm Place\nDenver, CO 80202",
        "country": "US",
        "invoice_email": "ap@cloudnine.example",
    },
    LAGOON: {
        "legal_name": "Lagoon Integrazioni S.r.l.",
        "address": "Fondamenta delle Zattere 1401\n30123 Venezia VE",
        "country": "IT",
        "vat_number": "IT12345670124",
        "invoice_email": "amministrazione@lagoon.example",
    },
}
#: Northwind's discount off list to resellers without their own (its late-involvement
#: discount at tier 2 is 10 %: a 5-point margin; more with a registered deal).
RESALE_DEFAULT = Decimal("5")


def _customer(name: str, country: str, email: str) -> dict:
    return {"customer_name": name, "customer_country": country, "customer_email": email}


# slot, buyer, body (the API's order body; "deal": the buyer's registration's customer domain)
ORDERS = [
    (
        "northwind-kieler-werft",
        NORTHWIND,
        {
            **_customer("Kieler Werft", "DE", "it@kieler-werft.example"),
            "lines": [{"product": "pro", "quantity": 10}],
            "deal": "kieler-werft.example",
        },
    ),
    (
        "northwind-codes",
        NORTHWIND,
        {
            **_customer("Nordlicht Schulen", "DE", "it@nordlicht-schulen.example"),
            "lines": [{"product": "essential", "quantity": 1, "fulfilment": "codes", "copies": 5}],
        },
    ),
    (
        "bluepeak-through-northwind",
        BLUEPEAK,
        {
            **_customer("Ateliers Rhone SARL", "FR", "dsi@ateliers-rhone.example"),
            "lines": [{"product": "essential-plus", "quantity": 2}],
        },
    ),
    (
        "bluepeak-own-use",
        BLUEPEAK,
        {"space": "personal", "lines": [{"product": "essential", "quantity": 1}]},
    ),
    (
        "cloudnine-front-range",
        CLOUD_NINE,
        {
            **_customer("Front Range Dental Group", "US", "ops@frontrange-dental.example"),
            "billing_period": "monthly",
            "lines": [{"product": "pro", "quantity": 5}],
        },
    ),
]
#: Placed by Northwind for Bluepeak (order_place_for_reseller).
FOR_RESELLER = (
    "northwind-for-bluepeak",
    {
        **_customer("Groupe Rhone Sante", "FR", "achats@rhone-sante.example"),
        "lines": [{"product": "pro", "quantity": 4}],
    },
)

# slot, buyer, body (the API's quote body), what happens to it after it is made
QUOTES = [
    (
        "bluepeak-open",
        BLUEPEAK,
        {
            **_customer("Clinique du Parc", "FR", "dsi@clinique-du-parc.example"),
            "lines": [{"product": "pro", "quantity": 6}],
            "notes": "Includes the migration from the current hosts in January.",
        },
        "open",
    ),
    (
        "bluepeak-sent",
        BLUEPEAK,
        {
            **_customer("Lycee Ampere", "FR", "informatique@lycee-ampere.example"),
            "customer_nonprofit": True,
            "lines": [{"product": "essential-plus", "quantity": 3}],
        },
        "sent",
    ),
    (
        "northwind-converted",
        NORTHWIND,
        {
            **_customer("Hanse Logistik AG", "DE", "it@hanse-logistik.example"),
            "lines": [{"product": "pro", "quantity": 8}],
        },
        "converted",
    ),
    (
        "northwind-open",
        NORTHWIND,
        {
            **_customer("Stadtwerke Lueneburg", "DE", "it@stadtwerke-lueneburg.example"),
            "billing_period": "monthly",
            "lines": [{"product": "essential", "quantity": 2}],
        },
        "open",
    ),
]
#: Who signs the converted quote for the customer (the signature page's typed name).
SIGNER = "Jens Petersen"


def seed(*, stdout, password: str) -> None:
    seed_billing(stdout=stdout)


def seed_billing(stdout) -> None:
    partners = {
        o.name: o
        for o in Organisation.objects.filter(name__in=ACCOUNTS).select_related(
            "partner_type__programme", "tier", "distributor"
        )
    }
    if len(partners) < len(ACCOUNTS):
        stdout.write("  billing: the demo partners are missing; nothing added")
        return
    admins = {name: _first_admin(organisation) for name, organisation in partners.items()}
    accounts = sum(
        _seed_account(partners[name], admins[name], data) for name, data in ACCOUNTS.items()
    )
    northwind, bluepeak = partners[NORTHWIND], partners[BLUEPEAK]
    _attach(bluepeak, northwind)
    _seed_resale_default(northwind, admins[NORTHWIND])

    placed = 0
    for slot, name, body in ORDERS:
        data = {"billing_period": "yearly", "space": "reseller", **body}
        if "deal" in data:
            data["deal"] = _deal_id(partners[name], data["deal"])
        placed += order_place(
            organisation=partners[name],
            actor=admins[name],
            role=roles.ADMIN,
            data=data,
            idempotency_key=f"demo:{slot}",
        ).created
    slot, body = FOR_RESELLER
    placed += order_place_for_reseller(
        distributor=northwind,
        reseller_id=bluepeak.pk,
        actor=admins[NORTHWIND],
        role=roles.ADMIN,
        data={"billing_period": "yearly", "space": "reseller", **body},
        idempotency_key=f"demo:{slot}",
    ).created
    stdout.write(f"  billing: {accounts} billing accounts, {placed} demo orders added")
    made = sum(
        _seed_quote(partners[name], admins[name], slot, body, state)
        for slot, name, body, state in QUOTES
    )
    stdout.write(f"  billing: {made} demo quotes added")
    # First-sale credit (Lagoon, Xen Orchestra), an upgrade (Cloud Nine) and a renewal due
    # next month (Northwind), each buying directly from the vendor.
    seed_credits(
        stdout=stdout,
        xo_reseller=partners[LAGOON],
        upgrading=partners[CLOUD_NINE],
        renewing=northwind,
    )
    stdout.write(f"  billing: {_seed_invoice_documents()} invoice PDFs rendered")
    seed_payments(stdout)
    seed_mdf(stdout)


def _seed_invoice_documents() -> int:
    """Each order was invoiced when placed; render the PDFs now (the render task's own
    service, as for the quotes), so they are ready to download on first login."""
    pending = InvoiceDocument.objects.exclude(status=InvoiceDocument.Status.READY)
    invoice_ids = list(pending.values_list("invoice_id", flat=True))
    for invoice_id in invoice_ids:
        invoice_render_document(invoice_id=invoice_id)
    return len(invoice_ids)


def _seed_quote(organisation, admin, slot: str, body: dict, state: str) -> int:
    """One demo quote taken to ``state`` (open, sent, converted), its PDFs rendered."""
    if Quote.objects.filter(
        organisation=organisation, customer_email=body["customer_email"]
    ).exists():
        return 0
    common = {"actor": admin, "role": roles.ADMIN}
    quote = quote_create(
        organisation=organisation, data={"billing_period": "yearly", **body}, **common
    )
    # The render task's own service, run now: seed_demo leaves the documents ready (the
    # task queued by quote_create then finds them rendered and leaves them).
    quote_render_documents(quote_id=quote.pk)
    if state in ("sent", "converted"):
        quote = quote_send_to_customer(quote=quote, **common)
    if state == "converted":
        quote_sign(token=signature_token(quote), name=SIGNER, accept=True, ip=None)
        quote_convert(quote=quote, idempotency_key=f"demo:{slot}", **common)
    return 1


def _first_admin(organisation):
    membership = (
        Membership.objects.filter(organisation=organisation, role=roles.ADMIN)
        .select_related("user")
        .order_by("created_at", "pk")
        .first()
    )
    return membership.user if membership else None


def _seed_account(organisation, admin, data: dict) -> int:
    if BillingAccount.objects.filter(organisation=organisation).exists():
        return 0
    billing_account_update(organisation=organisation, actor=admin, role=roles.ADMIN, data=data)
    return 1


def _attach(reseller, distributor) -> None:
    """Bluepeak buys through Northwind (two-tier), as the channel team would set it."""
    if reseller.distributor_id is not None:
        return
    staff = get_user_model().objects.get(email="staff@vendor.example")
    organisation_update(organisation=reseller, changes={"distributor": distributor}, actor=staff)
    reseller.distributor = distributor


def _seed_resale_default(distributor, admin) -> None:
    if ResellerDiscount.objects.filter(organisation=distributor, reseller=None).exists():
        return
    reseller_discount_set(
        distributor=distributor, actor=admin, role=roles.ADMIN, percent=RESALE_DEFAULT
    )


def _deal_id(organisation, domain: str) -> str:
    return str(Deal.objects.get(organisation=organisation, customer_domain=domain).pk)
