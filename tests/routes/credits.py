"""First-sale credit, renewals, upgrades (see tests/routes/cases.py for the kinds of
route). The credit ledger and the renewals due are the owner's alone: a distributor reads
the orders and licences placed through it, never its resellers' credit or renewals, and
never upgrades or renews their licences (404, as for anyone else's)."""

from __future__ import annotations

import datetime
from types import SimpleNamespace

from django.utils import timezone

from billing.models import CreditEntry
from partners import roles
from tests.billing.factories import place_order
from tests.routes.cases import TenantCollection, TenantObject
from tests.tenancy_support import observer


def _credit(tenant):
    """An earned entry naming an order of the personal space (no distributor supplies
    it): the page and the API show the order's id."""
    order = place_order(tenant.organisation, space="personal")
    with observer():
        CreditEntry.objects.create(
            organisation=tenant.organisation,
            kind=CreditEntry.Kind.EARNED,
            amount="300.00",
            currency="USD",
            expires_on=timezone.localdate() + datetime.timedelta(days=365),
            order=order,
        )
    return order


def _sold_licence(tenant):
    """A customer licence sold through an order (a reseller's is placed through its
    distributor, which reads it)."""
    order = place_order(tenant.organisation)
    with observer():
        return order.lines.get().licence


def _renewal(tenant):
    """A licence due for renewal, owner-only: its distributor never lists it, so the
    harness is told it is supplied to no one."""
    licence = _sold_licence(tenant)
    return SimpleNamespace(pk=licence.pk, distributor_id=None)


# Licences sold a moment ago end in a year: the lists look that far ahead. The owners'
# allowed writes preview (placing a reseller's upgrade issues its distributor's invoice, as
# any order of a reseller does: tests/billing/test_upgrades.py places them).
_DUE = "?days=366"

ROUTES: dict[str, object] = {
    "billing:credits": TenantCollection("/space/credits/", make=_credit),
    "api:credits-list": TenantCollection("/api/v1/credits", make=_credit),
    "billing:renewals": TenantCollection(
        "/space/renewals/" + _DUE, make=_renewal, shows_supplier=True
    ),
    "api:renewals-list": TenantCollection(
        "/api/v1/renewals" + _DUE, make=_renewal, shows_supplier=True
    ),
    "billing:licence-upgrade": TenantObject(
        "/space/licences/{id}/upgrade/",
        make=_sold_licence,
        methods=("get", "post"),
        roles={"get": roles.BUY, "post": roles.BUY},
        data={
            "post": {
                "action": "preview",
                "idempotency_key": "route-upgrade",
                "product": "pro",
                "quantity": "4",
            }
        },
        supplier_reads=False,
        shows_supplier=True,  # the price (and the order) name who supplies a reseller
    ),
    "billing:licence-renew": TenantObject(
        "/space/licences/{id}/renew/",
        make=_sold_licence,
        methods=("get", "post"),
        roles={"get": roles.BUY, "post": roles.BUY},
        data={"post": {"idempotency_key": "route-renew"}},
        supplier_reads=False,
        shows_supplier=True,  # the price (and the order) name who supplies a reseller
    ),
    "api:licence-upgrade": TenantObject(
        "/api/v1/licences/{id}/upgrade",
        make=_sold_licence,
        methods=("post",),
        roles={"post": roles.BUY},
        data={"post": {"product": "pro", "quantity": 4, "preview": True}},
        supplier_reads=False,
        shows_supplier=True,  # the price (and the order) name who supplies a reseller
    ),
    "api:licence-renew": TenantObject(
        "/api/v1/licences/{id}/renew",
        make=_sold_licence,
        methods=("post",),
        roles={"post": roles.BUY},
        data={"post": {"preview": True}},
        supplier_reads=False,
        shows_supplier=True,  # the price (and the order) name who supplies a reseller
    ),
}
