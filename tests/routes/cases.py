"""The kinds of tenant route the cross-tenant test knows how to exercise."""

from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class OwnData:
    """A route that shows the caller's own organisation: each tenant sees its own
    identifiers and never another tenant's. ``setup(tenant)`` prepares what the route
    needs for each tenant (say, an agreement) before any request."""

    path: str
    setup: Callable | None = None


@dataclass(frozen=True)
class TenantObject:
    """A route for one tenant-owned object: its owner may read it; anyone else gets 404
    for every method, and nothing changes."""

    path: str  # with {id}
    make: Callable  # (tenant) -> object owned by that tenant
    methods: tuple[str, ...] = ("get",)


@dataclass(frozen=True)
class TenantCollection:
    """A list route: each tenant's list holds its own objects only."""

    path: str
    make: Callable


@dataclass(frozen=True)
class Public:
    """Not tenant data (say why): the route is exercised by its own tests."""

    reason: str


@dataclass(frozen=True)
class StaffOnly:
    """A channel-team route: every partner gets 403, whatever the method."""

    path: str  # may contain {id}: a random id is used (permission is checked first)
    methods: tuple[str, ...] = ("get", "post")
