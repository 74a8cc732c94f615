"""The base model, queryset and access helper for tenant-owned rows."""

from __future__ import annotations

import uuid
from typing import TypeVar

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.http import Http404

M = TypeVar("M", bound="TenantOwnedModel")


class TenantQuerySet(models.QuerySet):
    def for_tenant(self, organisation) -> TenantQuerySet:
        """Rows the organisation owns, plus (for models sold through a distributor) the
        rows it supplies to its resellers. The same rule as the RLS policy (operations.py)."""
        if organisation is None:
            return self.none()
        visible = Q(organisation=organisation)
        if self.model.tenancy_visible_to_distributor:
            visible |= Q(distributor=organisation)
        return self.filter(visible)

    def owned_by(self, organisation) -> TenantQuerySet:
        """Rows the organisation may change: its own, never what it only reads as a
        distributor (the same rule as the write policies, operations.py)."""
        if organisation is None:
            return self.none()
        return self.filter(organisation=organisation)


class TenantOwnedModel(models.Model):
    """A row that belongs to one partner organisation.

    Its table must carry the row-level security policy: add
    ``portal.tenancy.operations.EnableTenantRLS`` to the migration that creates it
    (tests/portal/test_rls.py fails for any table with an organisation_id and no policy).
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    organisation = models.ForeignKey(
        settings.TENANCY_ORGANISATION_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
    )

    objects = TenantQuerySet.as_manager()

    # Set by DistributorVisibleModel.
    tenancy_visible_to_distributor = False

    class Meta:
        abstract = True


class DistributorVisibleModel(TenantOwnedModel):
    """A row that belongs to a reseller and is also visible to the distributor that
    supplied it (SPEC §1, two-tier distribution): orders, quotes, licences.

    Visibility only: the database policy lets the distributor read these rows, never write
    them (WITH CHECK names the owner alone)."""

    distributor = models.ForeignKey(
        settings.TENANCY_ORGANISATION_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text="The distributor this was placed through, if any.",
    )

    tenancy_visible_to_distributor = True

    class Meta:
        abstract = True


def get_for_tenant_or_404(queryset: models.QuerySet[M], organisation, **lookup) -> M:
    """The one way to fetch a tenant-owned object by id: missing and someone else's look
    the same (404)."""
    try:
        return queryset.for_tenant(organisation).get(**lookup)
    except (queryset.model.DoesNotExist, ValidationError, ValueError) as exc:
        # A malformed id (not a UUID) is simply not found.
        raise Http404 from exc
