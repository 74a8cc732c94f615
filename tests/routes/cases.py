"""The kinds of route the cross-tenant test (tests/test_cross_tenant.py) knows how to exercise.

Who may use a route is declared here, not read from the view, so the test holds the code
to an independent statement of the rules:

- ``methods``: every method the route answers (the test sends each one, from every role);
- ``roles``: per method, the roles (partners.roles sets) that may use it; a method not
  named is open to every role (``partners.roles.ALL``);
- ``statuses``: the organisation statuses the route serves (default: active only; the
  agreement's routes also serve pending organisations, ``/api/v1/me`` every status);
- ``data``: per method, the body the owner's allowed call sends (default: empty);
- ``partner_types``: the partner types the route serves (default: every type; a
  distributor's routes serve distributors only).

Anonymous callers get 401 (API) or the login page, and a logged-in user of no organisation
gets ``without_organisation`` (403).

A member whose role or organisation status is not allowed is refused: 403, or for a
reseller-space page of a pending organisation the redirect to its agreement. Refused calls
and reads change nothing in the database (checked with a digest of every table).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

from partners.models import Organisation
from partners.roles import ALL

ACTIVE = Organisation.Status.ACTIVE.value
PENDING = Organisation.Status.PENDING.value
SUSPENDED = Organisation.Status.SUSPENDED.value
ACTIVE_ONLY = frozenset({ACTIVE})
SIGNING = frozenset({ACTIVE, PENDING})  # the agreement: a pending organisation signs it
ANY_STATUS = frozenset({ACTIVE, PENDING, SUSPENDED})


@dataclass(frozen=True, kw_only=True)
class _MemberRoute:
    """A route for members of partner organisations."""

    methods: tuple[str, ...] = ("get",)
    roles: Mapping[str, frozenset[str]] = field(default_factory=dict)
    statuses: frozenset[str] = ACTIVE_ONLY
    data: Mapping[str, dict] = field(default_factory=dict)
    #: What a logged-in user who belongs to no organisation gets (``/api/v1/me`` answers
    #: them, with no organisation).
    without_organisation: int = 403
    #: Whether a reseller's response may name the distributor that supplies it (a price
    #: from its distributor names who sells): that tenant's name and id are then allowed.
    shows_supplier: bool = False
    #: Whether the distributor a row was placed through may read this route for it (GET
    #: 200): true for the pages and APIs that show the row; false for an owner-only page
    #: (a bind form), where the distributor gets the 404 of any other tenant.
    supplier_reads: bool = True
    #: Whether a distributor's response may name the resellers attached to it (its list
    #: of resellers, the calculator's choice of one): their names and ids are then allowed.
    shows_resellers: bool = False
    #: The partner types (codes) the route serves; empty: every type. A member of another
    #: type is refused like a role that may not (403).
    partner_types: frozenset[str] = frozenset()
    #: Whether a write is a sale that the vendor invoices to the caller's distributor (a
    #: two-tier sale): the distributor's invoice is written in the same transaction, so its
    #: rows of ``SUPPLIER_INVOICE_TABLES`` may change, and nothing else of it.
    invoices_supplier: bool = False
    #: Tables an allowed GET records itself in, for the caller's own organisation only (a
    #: download counted per partner): its rows of them may change, nothing else.
    counted_reads: frozenset[str] = frozenset()

    def allows(self, method: str, *, role: str, status: str, partner_type: str = "") -> bool:
        return (
            status in self.statuses
            and role in self.roles.get(method, ALL)
            and (not self.partner_types or partner_type in self.partner_types)
        )


@dataclass(frozen=True)
class OwnData(_MemberRoute):
    """A route about the caller's own organisation (no id in the URL): each tenant sees
    its own identifiers and never another tenant's. ``setup(tenant)`` prepares what the
    route needs for each tenant (say, an agreement) before any request. Methods other than
    GET act on the caller's own organisation: allowed, they change no other tenant's rows."""

    path: str
    setup: Callable | None = None


@dataclass(frozen=True)
class TenantObject(_MemberRoute):
    """A route for one tenant-owned object: its owner may read it; anyone else gets 404
    for every method (or the refusal a random id gets), and nothing changes."""

    path: str  # with {id}
    make: Callable  # (tenant) -> object owned by that tenant


@dataclass(frozen=True)
class TenantCollection(_MemberRoute):
    """A list route: each tenant's list holds its own objects only. Methods other than
    GET (a POST that adds to the list) act on the caller's own organisation."""

    path: str
    make: Callable


@dataclass(frozen=True)
class Public:
    """A route for anyone, logged in or not (say why). The test proves it: an anonymous
    request reaches it (``expect``, never 401/403 or the login page), and no response
    shows any tenant's private data (member and invitation emails, legal names,
    agreement signatories, application contacts, training records).

    ``make(tenant)`` returns the path's parameters for one tenant's subject (a listed
    partner, an invitation token); ``discloses`` names the kinds of that tenant's private
    data the holder of such a link may see (the invitation page names the inviting
    organisation): see tests/routes/harness.py MARKER_KINDS. ``shows(tenant)`` is public
    text the response must contain (the subject's, or every tenant's without ``make``), so
    that the absence of private data is not the absence of any data."""

    reason: str
    path: str | None = None
    method: str = "get"
    expect: int = 200
    data: dict | None = None
    make: Callable | None = None
    discloses: frozenset[str] = frozenset()
    shows: Callable | None = None  # (tenant) -> what the response must show of it


@dataclass(frozen=True)
class StaffOnly:
    """A channel-team route: every partner (any role, any status) gets 403, whatever the
    method, and nothing changes; anonymous callers are refused too."""

    path: str  # may contain {id}: a random id is used (permission is checked first)
    methods: tuple[str, ...] = ("get", "post")


@dataclass(frozen=True)
class ProvenElsewhere:
    """Every route under a URL prefix that holds no tenant data of its own (the admin,
    the account pages), with the test that proves how it keeps tenants apart, named as
    ``tests/<file>.py::<test function>`` (the coverage test checks it exists)."""

    reason: str
    proven_by: str
