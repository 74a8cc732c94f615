"""Active licences for the activation tests.

Test setup, not the product's way: until the redemption service is merged, a licence
issued with ``tests.licensing.factories.issue_licence`` is made active here the way
redemption leaves it (a customer, a key kept as its digest, status active), written
directly in the observer's context. On merge this calls the redemption service instead.
"""

from __future__ import annotations

from django.utils import timezone

from licensing.keys import key_digest, key_hint, new_licence_key
from licensing.models import Licence
from licensing.services.activation import activation_activate
from tests.licensing.factories import issue_licence
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
    key = new_licence_key()
    now = timezone.now()
    with observer():
        Licence.objects.filter(pk=licence.pk).update(
            status=Licence.Status.ACTIVE,
            key_digest=key_digest(key),
            key_hint=key_hint(key),
            customer_name=customer_name,
            customer_email=customer_email,
            customer_country="DE",
            installation_name=installation_name,
            bound_at=now,
            redeemed_at=now,
        )
        licence.refresh_from_db()
    return licence, key


def live_activation(organisation=None, *, fingerprint: str = "machine-0001", **kwargs):
    """A licence of ``organisation`` activated on one machine: the activation."""
    _, key = activate_licence(issue_licence(organisation, **kwargs))
    return activation_activate(key=key, fingerprint=fingerprint, hostname="vm-01").activation
