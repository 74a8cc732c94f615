"""Base classes for the API's tenant-owned resources.

``TenantViewSet`` decides the queryset itself; subclasses cannot override ``get_queryset``
or ``get_object`` (a TypeError at import time, as PostHog's routing does), so no endpoint
can forget the tenant filter. They give the unfiltered ``tenant_queryset`` and may narrow
the tenant-filtered result in ``refine_queryset``.
"""

from __future__ import annotations

from typing import ClassVar

from django.db.models import QuerySet
from rest_framework import viewsets
from rest_framework.permissions import SAFE_METHODS

from portal.api.permissions import IsPartnerMember
from portal.tenancy.models import get_for_tenant_or_404

_SEALED = ("get_queryset", "get_object")


class TenantViewSet(viewsets.GenericViewSet):
    permission_classes = [IsPartnerMember]
    lookup_field = "id"
    tenant_queryset: ClassVar[QuerySet]
    roles_by_action: ClassVar[dict[str, set[str]]] = {}

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        sealed = [name for name in _SEALED if name in cls.__dict__]
        if sealed:
            raise TypeError(
                f"{cls.__name__} overrides {', '.join(sealed)}; the tenant filter is not "
                "overridable. Use tenant_queryset and refine_queryset instead."
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
        return self.refine_queryset(queryset)

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
