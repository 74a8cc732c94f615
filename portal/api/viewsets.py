"""Base classes for the API's tenant-owned resources.

``TenantViewSet`` decides the queryset itself. Nothing below it in the method resolution
order (a subclass, or a mixin defined anywhere and mixed in before or after it) may define
``get_queryset``, ``get_object``, ``filter_queryset`` or ``organisation``: a TypeError at
import time, as PostHog's routing does, so no endpoint can forget or widen the tenant
filter. Subclasses give the unfiltered ``tenant_queryset`` (a TenantQuerySet) and may narrow
the tenant's rows in ``refine_queryset``; filter backends narrow them further. Whatever
``refine_queryset`` and the backends return is filtered to the tenant again, so neither can
widen it.
"""

from __future__ import annotations

from typing import ClassVar

from django.db.models import QuerySet
from rest_framework import viewsets
from rest_framework.permissions import SAFE_METHODS

from portal.api.permissions import IsPartnerMember
from portal.tenancy.models import TenantQuerySet, get_for_tenant_or_404

_SEALED = ("get_queryset", "get_object", "filter_queryset", "organisation")


class TenantViewSet(viewsets.GenericViewSet):
    permission_classes = [IsPartnerMember]
    lookup_field = "id"
    tenant_queryset: ClassVar[QuerySet]
    roles_by_action: ClassVar[dict[str, set[str]]] = {}

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        trusted = set(TenantViewSet.__mro__)  # this class and DRF's GenericViewSet below it
        sealed = sorted(
            {
                f"{name} (in {klass.__qualname__})"
                for klass in cls.__mro__
                if klass not in trusted
                for name in _SEALED
                if name in vars(klass)
            }
        )
        if sealed:
            raise TypeError(
                f"{cls.__name__} overrides {', '.join(sealed)}; the tenant filter is not "
                "overridable. Use tenant_queryset and refine_queryset instead."
            )
        queryset = getattr(cls, "tenant_queryset", None)
        if queryset is not None and not isinstance(queryset, TenantQuerySet):
            raise TypeError(
                f"{cls.__name__}.tenant_queryset is not a TenantQuerySet: a TenantViewSet "
                "serves tenant-owned rows (portal.tenancy.models.TenantOwnedModel) only."
            )

    @property
    def organisation(self):
        return self.request._request.caller.organisation

    def refine_queryset(self, queryset: QuerySet) -> QuerySet:
        return queryset

    def get_queryset(self) -> QuerySet:
        if getattr(self, "swagger_fake_view", False):  # drf-spectacular schema generation
            return self.tenant_queryset.none()
        queryset = self.tenant_queryset.all().for_tenant(self.organisation)
        return self.refine_queryset(queryset).for_tenant(self.organisation)

    def filter_queryset(self, queryset: QuerySet) -> QuerySet:
        filtered = super().filter_queryset(queryset)
        if getattr(self, "swagger_fake_view", False):
            return filtered
        return filtered.for_tenant(self.organisation)

    def get_object(self):
        lookup_url_kwarg = self.lookup_url_kwarg or self.lookup_field
        queryset = self.filter_queryset(self.get_queryset())
        if self.request.method not in SAFE_METHODS:
            # A distributor reads what it supplied but may not change it: not found (404),
            # rather than a write the database would refuse (500).
            queryset = queryset.owned_by(self.organisation)
        obj = get_for_tenant_or_404(
            queryset, self.organisation, **{self.lookup_field: self.kwargs[lookup_url_kwarg]}
        )
        self.check_object_permissions(self.request, obj)
        return obj
