"""Database contexts: which tenant (if any) the current transaction may see.

Every connection runs as the unprivileged application role from the moment it opens
(portal.tenancy.connection), with no tenant and no bypass: code outside any context sees
no tenant row. A context is a transaction (an atomic block) in which two transaction-local
settings are made with one statement: ``app.tenant_id`` and ``app.bypass``. They are
transaction-local (``set_config(..., true)``) so that a persistent connection never
carries a tenant into the next request. Both are always set together: a bypass left on by
an outer scope must not leak into a nested tenant context.

When a context is entered inside an existing transaction (a savepoint), its settings would
outlive the savepoint, so on exit the previous context's settings are put back.

System contexts (``app.bypass = on``: every tenant visible) are named, and only the names
in ``SYSTEM_CONTEXTS`` may be opened: a new one is a reviewed change to that list
(tests/portal/test_tenancy_contexts.py asserts it).
"""

from __future__ import annotations

import contextvars
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from uuid import UUID

from django.db import connections, transaction


@dataclass(frozen=True)
class DbContext:
    label: str
    tenant_id: str = ""
    bypass: bool = False

    @property
    def is_system(self) -> bool:
        return self.bypass


# What a connection looks like outside any context: the application role, no tenant, no
# bypass. The connection hook makes every new connection start like this.
OUTSIDE = DbContext(label="outside")
_base: DbContext = OUTSIDE

#: Every system context the code may open: exact names, or prefixes ending with ":" whose
#: rest is an id (``staff:<user id>``). Per-tenant work runs in ``tenant_context`` instead.
SYSTEM_CONTEXTS = frozenset(
    {
        # A channel-team member's request (the admin, the staff API).
        "staff:",
        # Management commands that work across tenants (SystemCommand).
        "command:seed_demo",
        "command:load_programme",
        "command:load_catalogue",
        "command:move_private_files",
        "command:rotate_licence_key",
        # Platform jobs (Celery tasks with tenancy = "system").
        "task:portal.relay_outbox",
        # Emails an applicant (no tenant yet) the question and a reply link made from the id.
        "task:partners.send_application_reply_request",
        # Marks ended licences expired and reminds partners before theirs end.
        "task:licensing.expire_licences",
        # Reminds customers of licences bound to them and not yet redeemed (every partner).
        "task:licensing.remind_unredeemed_licences",
        # Expiring every partner's approved deal registrations and reminding them first.
        "task:deals.expire_registrations",
        # Invoicing each started period of every partner's monthly subscriptions.
        "task:billing.issue_period_invoices",
        # Reminding every partner of its overdue invoices, once per invoice and stage.
        "task:billing.remind_overdue_invoices",
        # Expiring what is left of every partner's first-sale credit after 12 months.
        "task:billing.expire_credits",
        # Reminding every partner of its customers' licences due for renewal.
        "task:billing.remind_renewals",
        # Reminding every partner's registered members of sessions starting within a day.
        "task:partners.remind_sessions",
        # The quarterly tier evaluation of every partner, and its emails (pes).
        "task:pes.evaluate_tiers",
        "task:pes.send_evaluation_notices",
        "command:evaluate_tiers",
        # Finding a user's membership before the tenant is known (the request middleware).
        "tenancy-resolve",
        # Anonymous flows keyed by a secret token or creating a tenant-less row.
        "public:application",
        "public:application-reply",
        "public:invitation",
        # An appliance activating a licence key (any partner's licence) and the public key.
        "public:activation",
        # The end customer's redemption link and seat-management link (no account).
        "public:redemption",
        "public:licence-seats",
        # The end customer's quote signature link (no account): reads the quote and signs it.
        "public:quote-signature",
        # The end customer redeeming a partner's single-use code (no account): the code
        # is the credential (billing.services.codes).
        "public:redemption-code",
        "team:invitee-check",
        # Whether another partner holds a deal's opportunity: a boolean, nothing else.
        "deals:opportunity-check",
        # A reseller's distributor's resale discount and tax identity, for pricing.
        "billing:distributor-terms",
        # Benchmarks (bench/) fill and read a scratch database.
        "bench:directory",
        "bench:pricing",
        "bench:quote-pdfs",
        "bench:invoice-pdfs",
        "bench:evaluation",
    }
)


def is_allowed_system_context(reason: str) -> bool:
    if reason in SYSTEM_CONTEXTS and not reason.endswith(":"):
        return True
    prefix, sep, rest = reason.partition(":")
    return bool(sep and rest) and f"{prefix}:" in SYSTEM_CONTEXTS


def base_context() -> DbContext:
    """What the connection sees outside any context (``OUTSIDE``, except in the test
    suite, whose test bodies observe as ``test:observer``; see tenancy.testing)."""
    return _base


def set_base_context(ctx: DbContext) -> None:
    global _base
    _base = ctx


_stack: contextvars.ContextVar[tuple[DbContext, ...]] = contextvars.ContextVar(
    "tenancy_stack", default=()
)


def current_context() -> DbContext | None:
    stack = _stack.get()
    return stack[-1] if stack else None


def _apply(ctx: DbContext, using: str, *, local: bool = True) -> None:
    """Make the connection see what ``ctx`` may see: for the current transaction
    (``local``) or, when a connection opens, for the session (its state outside contexts)."""
    with connections[using].cursor() as cursor:
        cursor.execute(
            "SELECT set_config('app.tenant_id', %s, %s), set_config('app.bypass', %s, %s)",
            [ctx.tenant_id, local, "on" if ctx.bypass else "off", local],
        )


@contextmanager
def _enter(ctx: DbContext, using: str = "default") -> Iterator[DbContext]:
    outer = _stack.get()
    token = _stack.set((*outer, ctx))
    try:
        with transaction.atomic(using=using):
            _apply(ctx, using)
            yield ctx
    finally:
        _stack.reset(token)
        connection = connections[using]
        if connection.in_atomic_block and not connection.needs_rollback:
            _apply(outer[-1] if outer else _base, using)


def tenant_context(organisation_id: UUID | str, using: str = "default", *, on_behalf_of: str = ""):
    """Run the block as the given tenant: only its rows (and rows it supplies) are visible.

    ``on_behalf_of`` names who the work is for when nobody of that tenant asked (a
    visitor's ``public:contact-request``): the audit trail names that, not the tenant."""
    if not organisation_id:
        raise ValueError("tenant_context needs an organisation id")
    ctx = context_for(organisation_id=organisation_id)
    if on_behalf_of:
        ctx = DbContext(label=on_behalf_of, tenant_id=ctx.tenant_id)
    return _enter(ctx, using)


def system_context(reason: str, using: str = "default"):
    """Run the block for the channel team or the platform itself: every tenant is visible.

    ``reason`` names who asked (``staff:<user id>``, ``task:<name>``, ``command:<name>``)
    and must be one of ``SYSTEM_CONTEXTS``, so that a bypass is always a reviewed choice.
    """
    if not is_allowed_system_context(reason):
        raise ValueError(
            f"system context {reason!r} is not in SYSTEM_CONTEXTS; per-tenant work runs in "
            "tenant_context, and a new system context is added to the list on review"
        )
    return _enter(context_for(system_reason=reason), using)


def public_context(using: str = "default"):
    """Run the block for an anonymous visitor or a user without an organisation."""
    return _enter(context_for(), using)


@contextmanager
def resolving_context(
    resolve: Callable[[], DbContext], *, needs_lookup: bool, using: str = "default"
) -> Iterator[DbContext]:
    """One transaction that first reads who the caller is, then becomes the caller's context.

    The request middleware uses it: finding a user's membership needs to read a tenant
    table before the tenant is known, so the lookup runs under a system context; the same
    transaction then switches to the context ``resolve`` returned. Doing both in one
    transaction saves the round trips of a second BEGIN/COMMIT on every request.
    """
    outer = _stack.get()
    token = None
    try:
        with transaction.atomic(using=using):
            if needs_lookup:
                lookup = context_for(system_reason="tenancy-resolve")
                token = _stack.set((*outer, lookup))
                _apply(lookup, using)
                ctx = resolve()
                _stack.reset(token)
            else:
                ctx = resolve()
            token = _stack.set((*outer, ctx))
            _apply(ctx, using)
            yield ctx
    finally:
        if token is not None:
            _stack.set(outer)
        connection = connections[using]
        if connection.in_atomic_block and not connection.needs_rollback:
            _apply(outer[-1] if outer else _base, using)


def context_for(*, organisation_id=None, system_reason: str = "") -> DbContext:
    """The context value (not yet entered) for a caller, for ``resolving_context``."""
    if system_reason:
        if not is_allowed_system_context(system_reason):
            raise ValueError(f"system context {system_reason!r} is not in SYSTEM_CONTEXTS")
        return DbContext(label=f"system:{system_reason}", bypass=True)
    if organisation_id:
        return DbContext(label=f"tenant:{organisation_id}", tenant_id=str(organisation_id))
    return DbContext(label="public")
