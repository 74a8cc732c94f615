"""Reads for activation: a licence's machines, and the published signing keys."""

from __future__ import annotations

from django.db.models import F, QuerySet

from licensing.models import Activation, Licence, SigningKey


def licence_activations(licence: Licence, *, live_only: bool = False) -> QuerySet[Activation]:
    """The machines ``licence`` is (or was) activated on: live ones first, newest first.
    For the licence's page and API; the caller has already fetched the licence through
    its tenant's access path."""
    queryset = Activation.objects.filter(licence=licence)
    if live_only:
        queryset = queryset.filter(deactivated_at__isnull=True)
    return queryset.order_by(F("deactivated_at").desc(nulls_first=True), "-activated_at", "-id")


def live_activation_count(licence: Licence) -> int:
    return Activation.objects.filter(licence=licence, deactivated_at__isnull=True).count()


def published_signing_keys() -> QuerySet[SigningKey]:
    """Every signing key's public half, the current one first: files signed before a
    rotation still verify with the retired key they name."""
    return SigningKey.objects.order_by("-is_current", "-created_at", "-id")
