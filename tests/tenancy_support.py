"""How test bodies see the database.

Product code sees no tenant row outside a context (portal.tenancy.connection). A test body
is an observer that sets data up and checks results across tenants, so the suite makes
``test:observer`` (every tenant visible) the state outside contexts, for the test's own
connection and for any it opens. Requests, tasks and commands under test still enter
their own contexts and restore the observer afterwards. Tests of the fail-closed
behaviour itself use ``outside_any_context``.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from contextlib import contextmanager

from django.db import connection

from portal.tenancy.context import OUTSIDE, DbContext, _apply, base_context, set_base_context

OBSERVER = DbContext(label="test:observer", bypass=True)


@contextmanager
def observing_as(ctx: DbContext) -> Iterator[None]:
    previous = base_context()
    set_base_context(ctx)
    _apply_if_connected(ctx)
    try:
        yield
    finally:
        set_base_context(previous)
        _apply_if_connected(previous)


def outside_any_context():
    """What production code sees when it forgot its context."""
    return observing_as(OUTSIDE)


def _apply_if_connected(ctx: DbContext) -> None:
    # A connection not yet open gets the base context when it opens (the connection hook).
    if connection.connection is None or connection.needs_rollback:
        return
    # pytest-django blocks the database (RuntimeError) in tests that did not ask for it.
    with contextlib.suppress(RuntimeError):
        _apply(ctx, connection.alias, local=connection.in_atomic_block)


def observer():
    """A context (a transaction) in which the test sees every tenant, e.g. inside a
    request's or task's own transaction in transaction=True tests."""
    from portal.tenancy.context import _enter

    return _enter(OBSERVER)


def owner_session_for_tests():
    """Schema changes in a test (a scratch table) as the schema owner, inside the test's
    transaction; the connection is the application role again afterwards."""
    from portal.tenancy.connection import owner_session

    return owner_session()
