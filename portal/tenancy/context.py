"""Database contexts: which tenant (if any) the current transaction may see.

A context is a transaction (an atomic block) in which three transaction-local settings are
made with one statement: the unprivileged role, ``app.tenant_id`` and ``app.bypass``. They
are transaction-local (``set_config(..., true)``) so that a persistent connection never
carries a tenant into the next request. Both tenant and bypass are always set together: a
bypass left on by an outer scope must not leak into a nested tenant context.

When a context is entered inside an existing transaction (a savepoint), its settings would
outlive the savepoint, so on exit the previous context's settings are put back.
"""

from __future__ import annotations

import contextvars
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from uuid import UUID

from django.conf import settings
from django.db import connections, transaction


@dataclass(frozen=True)
class DbContext:
    label: str
    tenant_id: str = ""
    bypass: bool = False

    @property
    def is_system(self) -> bool:
        return self.bypass


# What the connection looks like outside any context: the connecting role, no tenant.
_NO_CONTEXT = DbContext(label="none")

_stack: contextvars.ContextVar[tuple[DbContext, ...]] = contextvars.ContextVar(
    "tenancy_stack", default=()
)


def current_context() -> DbContext | None:
    stack = _stack.get()
    return stack[-1] if stack else None


def _apply(ctx: DbContext, using: str) -> None:
    role = settings.TENANCY_DB_ROLE
    with connections[using].cursor() as cursor:
        if role:
            # 'none' is SET ROLE NONE: back to the connecting role.
            role_value = "none" if ctx is _NO_CONTEXT else role
            cursor.execute(
                "SELECT set_config('role', %s, true), set_config('app.tenant_id', %s, true),"
                " set_config('app.bypass', %s, true)",
                [role_value, ctx.tenant_id, "on" if ctx.bypass else "off"],
            )
        else:
            cursor.execute(
                "SELECT set_config('app.tenant_id', %s, true), set_config('app.bypass', %s, true)",
                [ctx.tenant_id, "on" if ctx.bypass else "off"],
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
            _apply(outer[-1] if outer else _NO_CONTEXT, using)


def tenant_context(organisation_id: UUID | str, using: str = "default"):
    """Run the block as the given tenant: only its rows (and rows it supplies) are visible."""
    if not organisation_id:
        raise ValueError("tenant_context needs an organisation id")
    return _enter(context_for(organisation_id=organisation_id), using)


def system_context(reason: str, using: str = "default"):
    """Run the block for the channel team or the platform itself: every tenant is visible.

    ``reason`` names who asked (``staff:<email>``, ``task:<name>``, ``command:<name>``) so
    that a context is always a deliberate, greppable choice.
    """
    if not reason:
        raise ValueError("system_context needs a reason")
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
                lookup = DbContext(label="system:tenancy-resolve", bypass=True)
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
            _apply(outer[-1] if outer else _NO_CONTEXT, using)


def context_for(*, organisation_id=None, system_reason: str = "") -> DbContext:
    """The context value (not yet entered) for a caller, for ``resolving_context``."""
    if system_reason:
        return DbContext(label=f"system:{system_reason}", bypass=True)
    if organisation_id:
        return DbContext(label=f"tenant:{organisation_id}", tenant_id=str(organisation_id))
    return DbContext(label="public")
