"""Demo credits, upgrades and renewals (issue 11's "done means"), through the partners'
own services, for ``seed_demo`` (its system context):

* ``seed_first_sale``: a Xen Orchestra reseller's first customer sale (Enterprise,
  $4,150 a year) at list price, its 20% ($830) credited to its balance for 12 months.
* ``seed_upgrade``: a customer's Essential upgraded to Essential+ (the unused time of
  Essential credited by a credit note against its invoice, applied to the upgrade).
* ``seed_renewal_due``: a customer's Pro x 3 due for renewal next month (the licence's term
  set as if it had been sold eleven months ago: the one shortcut, demo data only), which
  the renewals page and the reminders then show.

Idempotent: every order carries an ``Idempotency-Key`` (``demo:<slot>``), so a second run
finds the first instead of placing another; the renewal's term is moved only while it is
not yet due. ``seed_credits`` runs the three for the organisations it is given (the
lead's seed names them: an active Xen Orchestra reseller, and Vates partners buying
directly from the vendor).
"""

from __future__ import annotations

import datetime

from django.utils import timezone

from billing.models import Order
from billing.services.orders import order_place
from billing.services.renewals import RENEWAL_OPENS_DAYS
from billing.services.upgrades import licence_upgrade
from licensing.models import Licence
from partners import roles
from partners.models import Membership, Organisation

#: The renewal shown as due: this many days before the licence ends.
RENEWAL_DUE_IN_DAYS = 25


def _admin(organisation: Organisation):
    membership = (
        Membership.objects.filter(organisation=organisation, role=roles.ADMIN)
        .select_related("user")
        .order_by("created_at", "pk")
        .first()
    )
    return membership.user if membership else None


def _sell(organisation: Organisation, *, slot: str, customer: str, line: dict) -> Order:
    domain = customer.lower().replace(" ", "-")
    return order_place(
        organisation=organisation,
        actor=_admin(organisation),
        role=roles.ADMIN,
        data={
            "customer_name": customer,
            "customer_country": str(organisation.country),
            "customer_email": f"it@{domain}.example",
            "billing_period": "yearly",
            "space": "reseller",
            "lines": [line],
        },
        idempotency_key=f"demo:{slot}",
    ).order


def seed_first_sale(organisation: Organisation) -> Order:
    """``organisation`` (a Xen Orchestra reseller with no sale yet) sells Enterprise."""
    return _sell(
        organisation,
        slot="xo-first-sale",
        customer="Hafen Logistik",
        line={"product": "xoa-enterprise", "quantity": 1},
    )


def seed_upgrade(organisation: Organisation) -> Order:
    """``organisation`` (a Vates partner) sells Essential, then upgrades it to Essential+."""
    sale = _sell(
        organisation,
        slot="upgrade-sale",
        customer="Atelier Delacroix",
        line={"product": "essential", "quantity": 3},
    )
    licence = sale.lines.get().licence
    return licence_upgrade(
        organisation=organisation,
        actor=_admin(organisation),
        role=roles.ADMIN,
        licence_id=licence.pk,
        product="essential-plus",
        quantity=3,
        idempotency_key="demo:upgrade",
    ).order


def seed_renewal_due(organisation: Organisation) -> Licence:
    """``organisation`` (a Vates partner) sold Pro x 3 eleven months ago: it ends next
    month."""
    sale = _sell(
        organisation,
        slot="renewal-due",
        customer="Bibliothek Altona",
        line={"product": "pro", "quantity": 3},
    )
    licence = sale.lines.get().licence
    today = timezone.localdate()
    if (licence.ends_on - today).days > RENEWAL_OPENS_DAYS:
        ends_on = today + datetime.timedelta(days=RENEWAL_DUE_IN_DAYS)
        Licence.objects.filter(pk=licence.pk).update(
            starts_on=ends_on - datetime.timedelta(days=364), ends_on=ends_on
        )
        licence.refresh_from_db()
    return licence


def seed_credits(
    *,
    stdout,
    xo_reseller: Organisation | None,
    upgrading: Organisation | None,
    renewing: Organisation | None,
) -> None:
    """The three, for the organisations given (each skipped when None)."""
    if xo_reseller is not None:
        order = seed_first_sale(xo_reseller)
        stdout.write(
            f"  billing: {xo_reseller.name}'s first sale {order.reference} at list price, "
            "its discount credited"
        )
    if upgrading is not None:
        order = seed_upgrade(upgrading)
        stdout.write(f"  billing: {upgrading.name}'s upgrade {order.reference}")
    if renewing is not None:
        licence = seed_renewal_due(renewing)
        stdout.write(
            f"  billing: {renewing.name}'s {licence.product_name} due for renewal "
            f"(ends {licence.ends_on:%d %b %Y})"
        )
