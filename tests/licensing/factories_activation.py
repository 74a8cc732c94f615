"""Active licences for the activation tests: bound to a customer and redeemed through
licensing's own services (tests.licensing.factories_links), as a customer redeems one."""

from __future__ import annotations

from licensing.models import Licence
from licensing.services.activation import activation_activate
from licensing.services.binding import licence_bind
from tests.licensing.factories import issue_licence
from tests.licensing.factories_links import binder_of, redeem
from tests.tenancy_support import observer


def activate_licence(
    licence: Licence | None = None,
    *,
    customer_name: str = "Example Customer GmbH",
    customer_email: str = "it@customer.example",
    installation_name: str = "Main datacentre",
    **issue_kwargs,
) -> tuple[Licence, str]:
    """``licence`` (or a newly issued one) redeemed by a customer: (licence, its key)."""
    licence = licence or issue_licence(**issue_kwargs)
    with observer():
        link = licence_bind(
            actor=binder_of(licence.organisation), licence=licence, email=customer_email
        )
    redemption = redeem(
        link,
        organisation_name=customer_name,
        country="DE",
        installation_name=installation_name,
    )
    licence.refresh_from_db()
    return licence, redemption.key


def live_activation(organisation=None, *, fingerprint: str = "machine-0001", **kwargs):
    """A licence of ``organisation`` activated on one machine: the activation."""
    _, key = activate_licence(issue_licence(organisation, **kwargs))
    return activation_activate(key=key, fingerprint=fingerprint, hostname="vm-01").activation
