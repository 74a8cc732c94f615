"""Writing the audit trail: ``audit_record`` is the only writer of ``AuditEvent``.

Who and from where:

* ``actor`` is passed by every service (the person who acted). When a service acts for
  the platform (``actor=None``) the event names, in this order: the Celery task running
  it (``task:partners.render_agreement_documents``, whatever tenant context the task
  runs in); the person whose request it is (the staff member whose approval invited an
  organisation's first admin); else the named database context (``command:load_programme``,
  ``public:application``).
* ``ip``: the services that already take the client IP (application submission, the
  agreement's signature) pass it; everywhere else it comes from the request being served,
  computed exactly as those callers compute it (DRF's ``get_ident`` with
  ``TRUSTED_PROXY_COUNT``). The request is held in a context variable set by
  ``AuditRequestMiddleware`` for the view's duration only, so no service signature has to
  carry a network detail that is not part of its rule.
"""

from __future__ import annotations

import contextvars
import datetime
import decimal
import re
import uuid
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db import models, transaction

from portal.client_address import client_ip
from portal.models import AuditEvent
from portal.tenancy.context import current_context

#: Keys never written to before/after, whatever a caller passes: a secret in an
#: append-only table could never be taken back out. (A word of the key, so that, say,
#: ``footprint`` is kept.)
SECRET_KEY_PATTERN = re.compile(
    r"(?:^|_)(?:password|token|secret|nonce|t?otp|recovery|api_?key)", re.IGNORECASE
)


@dataclass
class _RequestAudit:
    request: Any
    #: (content type id, object id) of every object audited during this request, so that
    #: the admin's safety net (portal.audit.admin) does not record a change twice.
    recorded: set[tuple[int, str]] = field(default_factory=set)


_current: contextvars.ContextVar[_RequestAudit | None] = contextvars.ContextVar(
    "audit_request", default=None
)


@contextmanager
def audit_request(request) -> Iterator[None]:
    """Make ``request`` the one whose client IP (and, for platform actions, whose user)
    the events written inside the block name."""
    token = _current.set(_RequestAudit(request=request))
    try:
        yield
    finally:
        _current.reset(token)


def recorded_in_this_request(obj: models.Model) -> bool:
    state = _current.get()
    if state is None or obj.pk is None:
        return False
    return (ContentType.objects.get_for_model(obj).pk, str(obj.pk)) in state.recorded


def _writing(writer: str, actor) -> tuple:
    """What every audit writer starts with: the check that it runs in the change's
    transaction, then this request's state, the actor and its label, and the client IP."""
    if not transaction.get_connection().in_atomic_block:
        # A record written outside the change's transaction could survive a rolled-back
        # change, or be lost after a committed one.
        raise RuntimeError(f"{writer} must run inside the transaction of the change")
    state = _current.get()
    request = state.request if state is not None else None
    actor, label = _who(actor, request)
    return state, actor, label, client_ip(request) if request is not None else None


def audit_record(
    *,
    actor,
    action: str,
    obj: models.Model,
    organisation,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
    summary: str,
    ip: str | None = None,
) -> AuditEvent:
    """Record one state change of ``obj``, in the caller's transaction.

    ``before`` / ``after`` hold field values; only the fields whose value differs are
    kept (a key present on one side only is a change), and keys that look like secrets
    are dropped. ``organisation`` (an instance or an id) is the tenant the change
    concerns: None for the platform's own rows (programme rules, an application not yet
    approved).
    """
    if obj.pk is None:
        raise ValueError("audit_record needs a saved object (record a deletion before it)")
    state, actor, actor_label, request_ip = _writing("audit_record", actor)
    ip = ip if ip is not None else request_ip

    event = AuditEvent.objects.create(
        **_event_fields(
            actor=actor,
            actor_label=actor_label,
            action=action,
            obj=obj,
            organisation=organisation,
            before=before,
            after=after,
            summary=summary,
            ip=ip,
        )
    )
    if state is not None:
        state.recorded.add((event.content_type_id, str(obj.pk)))
    return event


def audit_record_many(*, actor, action: str, changes: list[AuditedChange]) -> int:
    """``audit_record`` for many objects changed by one action (a quarterly evaluation of
    every partner): one INSERT for all of them, each still its own record."""
    if not changes:
        return 0
    _state, actor, actor_label, ip = _writing("audit_record_many", actor)
    events = [
        AuditEvent(
            **_event_fields(
                actor=actor,
                actor_label=actor_label,
                action=action,
                obj=change.obj,
                organisation=change.organisation,
                before=change.before,
                after=change.after,
                summary=change.summary,
                ip=ip,
            )
        )
        for change in changes
    ]
    AuditEvent.objects.bulk_create(events, batch_size=2000)
    return len(events)


def audit_record_select(*, actor, action: str, model, rows_sql: str, params) -> int:
    """``audit_record`` for every row of ``rows_sql``, in one INSERT ... SELECT: for an
    action over thousands of rows (the quarterly evaluation of every partner), with no
    object built per row. ``rows_sql`` selects, in this order, the object's id (text), its
    representation, its organisation id, the ``after`` values (jsonb) and the summary; it
    is our own SQL with ``params``, run in the caller's transaction and context."""
    _state, actor, label, ip = _writing("audit_record_select", actor)
    content_type = ContentType.objects.get_for_model(model)
    sql = (
        f"INSERT INTO {AuditEvent._meta.db_table} (at, actor_id, actor_label, action, "  # noqa: S608 - our table, our SQL
        "content_type_id, object_id, object_repr, organisation_id, before, after, summary, ip) "
        "SELECT now(), %s, %s, %s, %s, r.object_id, left(r.object_repr, 200), "
        "r.organisation_id, '{}'::jsonb, r.after, left(r.summary, 500), %s "
        f"FROM ({rows_sql}) AS r(object_id, object_repr, organisation_id, after, summary)"
    )
    with transaction.get_connection().cursor() as cursor:
        cursor.execute(
            sql,
            [getattr(actor, "pk", None), label[:200], action, content_type.pk, ip, *params],
        )
        return cursor.rowcount


@dataclass(frozen=True)
class AuditedChange:
    obj: models.Model
    organisation: Any
    summary: str
    before: dict[str, Any] | None = None
    after: dict[str, Any] | None = None


def actor_label(actor) -> str:
    """How an audit record would name who acts now: the person, the running job, or the
    context (for records of our own that name their author, like a tier change)."""
    state = _current.get()
    return _who(actor, state.request if state is not None else None)[1]


def _who(actor, request) -> tuple[Any, str]:
    """The user (or None) and the label the record names: the person, else the running
    job, else the context (a command, a system flow)."""
    job = _running_task_label()
    if not getattr(actor, "is_authenticated", False):
        actor = None if job else _request_user(request)
    if actor is not None:
        return actor, actor.email
    if job:
        return None, job
    ctx = current_context()
    return None, ctx.label.removeprefix("system:") if ctx is not None else "system"


def _event_fields(
    *, actor, actor_label, action, obj, organisation, before, after, summary, ip
) -> dict[str, Any]:
    if obj.pk is None:
        raise ValueError("audit_record needs a saved object (record a deletion before it)")
    before, after = audit_changes(before or {}, after or {})
    return {
        "actor": actor,
        "actor_label": actor_label[:200],
        "action": action,
        "content_type": ContentType.objects.get_for_model(obj),
        "object_id": str(obj.pk),
        "object_repr": str(obj)[:200],
        # An organisation or its id.
        "organisation_id": getattr(organisation, "pk", organisation),
        "before": before,
        "after": after,
        "summary": summary[:500],
        "ip": ip,
    }


def audit_changes(before: dict[str, Any], after: dict[str, Any]) -> tuple[dict, dict]:
    """The changed fields only, as JSON values, without secrets."""
    before = {k: jsonable(v) for k, v in before.items() if not SECRET_KEY_PATTERN.search(k)}
    after = {k: jsonable(v) for k, v in after.items() if not SECRET_KEY_PATTERN.search(k)}
    changed = {k for k in before.keys() | after.keys() if before.get(k) != after.get(k)}
    return (
        {k: v for k, v in before.items() if k in changed},
        {k: v for k, v in after.items() if k in changed},
    )


def audit_values(instance: models.Model, fields: Iterable[str]) -> dict[str, Any]:
    """A snapshot of ``fields`` of ``instance`` as JSON values (a foreign key as its id)."""
    values = {}
    for name in fields:
        model_field = instance._meta.get_field(name)
        if model_field.is_relation and (model_field.many_to_one or model_field.one_to_one):
            values[name] = jsonable(getattr(instance, model_field.attname))
        else:
            values[name] = jsonable(getattr(instance, name))
    return values


def jsonable(value: Any) -> Any:
    if value is None or isinstance(value, bool | int | float | str):
        return value
    if isinstance(value, decimal.Decimal | uuid.UUID):
        return str(value)
    if isinstance(value, datetime.datetime | datetime.date | datetime.time):
        return value.isoformat()
    if isinstance(value, models.Model):  # as its id, whether given the object or the id
        return jsonable(value.pk)
    if isinstance(value, models.QuerySet):  # a many-to-many field's cleaned value
        return [jsonable(pk) for pk in value.values_list("pk", flat=True)]
    if isinstance(value, dict):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        return [jsonable(v) for v in value]
    if hasattr(value, "name") and hasattr(value, "storage"):  # a FieldFile
        return value.name or ""
    if hasattr(value, "code"):  # django-countries' Country
        return value.code
    return str(value)


def _running_task_label() -> str:
    """``task:<name>`` while a Celery task runs (in a worker, or eagerly in-process)."""
    from celery import current_task

    task = current_task._get_current_object() if current_task else None
    return f"task:{task.name}" if task is not None else ""


def _request_user(request):
    if request is None:
        return None
    caller = getattr(request, "caller", None)
    user = caller.user if caller is not None else getattr(request, "user", None)
    return user if getattr(user, "is_authenticated", False) else None
