"""Two-tier distribution (SPEC §1): a distributor acting for a reseller attached to it.

The reseller's rows are not the distributor's to write (row-level security): work for the
reseller runs in the reseller's own tenant context, labelled with the distributor, once
``attached_reseller`` has checked the attachment."""

from __future__ import annotations

import uuid

from billing.selectors.resellers import attached_resellers
from partners.models import Organisation
from portal.errors import NotFound
from portal.tenancy.context import tenant_context


def attached_reseller(*, distributor: Organisation, reseller_id) -> Organisation:
    """A reseller attached to ``distributor`` (404 otherwise, whatever the id is)."""
    try:
        pk = uuid.UUID(str(reseller_id))
    except ValueError:
        pk = None
    reseller = attached_resellers(distributor=distributor).filter(pk=pk).first() if pk else None
    if reseller is None:
        raise NotFound("No reseller of yours with this id.", code="unknown_reseller")
    return reseller


def acting_for_reseller(*, distributor: Organisation, reseller: Organisation):
    """The reseller's context, named after the distributor acting in it."""
    return tenant_context(reseller.pk, on_behalf_of=f"distributor:{distributor.pk}")
