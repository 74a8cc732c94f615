"""Groups for the channel team's typical roles, kept in step with code.

Each app that has staff actions says, in ``<app>/staff_roles.py``, which of *its own*
permissions each role holds (``PERMISSIONS = {group name: {"app.codename", ...}}``). A later
app (billing, deals) adds its permissions to the same groups the same way, without touching
this module or another app.

``staff_groups_sync`` makes the groups hold exactly those permissions, app by app: the
permissions an app does not name are left alone, so a group can hold billing's permissions
next to partners' ones. It is idempotent (a second run writes nothing). It runs from a data
migration (so every database has the groups after ``migrate``), from
``manage.py sync_staff_groups`` and from ``seed_demo``.

The groups are the code's definition: a local variation belongs in a group of its own.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from importlib import import_module

from django.apps import apps as global_apps
from django.core.exceptions import ImproperlyConfigured
from django.db import DEFAULT_DB_ALIAS, transaction
from django.utils.module_loading import module_has_submodule

#: Applications and training records.
CHANNEL_REVIEWER = "Channel reviewer"
#: Payments, invoices, claims (later); for now what they need to read.
CHANNEL_FINANCE = "Channel finance"
#: Programme data (types, tiers, discount rules, embargo), partner organisations, and
#: everything the reviewer does.
PROGRAMME_MANAGER = "Programme manager"

GROUP_NAMES = (CHANNEL_REVIEWER, CHANNEL_FINANCE, PROGRAMME_MANAGER)

#: {app label: {group name: {"app_label.codename", ...}}}
Roles = Mapping[str, Mapping[str, Iterable[str]]]


@dataclass
class SyncResult:
    created_groups: list[str] = field(default_factory=list)
    added: int = 0
    removed: int = 0

    @property
    def changed(self) -> bool:
        return bool(self.created_groups or self.added or self.removed)


def staff_roles() -> dict[str, dict[str, frozenset[str]]]:
    """Every installed app's ``staff_roles.PERMISSIONS``, by app label."""
    found = {}
    for app_config in global_apps.get_app_configs():
        if module_has_submodule(app_config.module, "staff_roles"):
            module = import_module(f"{app_config.name}.staff_roles")
            found[app_config.label] = {
                name: frozenset(perms) for name, perms in module.PERMISSIONS.items()
            }
    return found


def staff_groups_sync(
    *, roles: Roles | None = None, apps=global_apps, using: str = DEFAULT_DB_ALIAS
) -> SyncResult:
    """Create the groups and give them exactly the permissions ``roles`` names for each app
    (by default every app's current definition). ``apps`` and ``using`` are a migration's
    app registry and database when a data migration calls this. An unknown permission is a
    programming error."""
    roles = staff_roles() if roles is None else roles
    with transaction.atomic(using=using):
        return _sync(roles, apps, using)


def _sync(roles: Roles, apps, using: str) -> SyncResult:
    group_model = apps.get_model("auth", "Group")
    permission_model = apps.get_model("auth", "Permission")
    result = SyncResult()
    for app_label, groups in roles.items():
        known = {
            f"{app_label}.{codename}": pk
            for pk, codename in permission_model.objects.using(using)
            .filter(content_type__app_label=app_label)
            .values_list("pk", "codename")
        }
        named = {perm for perms in groups.values() for perm in perms}
        unknown = sorted(named - known.keys())
        if unknown:
            raise ImproperlyConfigured(
                f"{app_label}'s staff roles name permissions it does not have: "
                f"{', '.join(unknown)} (an app names only its own permissions)."
            )
        for name, perms in groups.items():
            group, created = group_model.objects.using(using).get_or_create(name=name)
            if created:
                result.created_groups.append(name)
            wanted = {known[perm] for perm in perms}
            held = set(
                group.permissions.filter(content_type__app_label=app_label).values_list(
                    "pk", flat=True
                )
            )
            if held - wanted:
                group.permissions.remove(*(held - wanted))
            if wanted - held:
                group.permissions.add(*(wanted - held))
            result.added += len(wanted - held)
            result.removed += len(held - wanted)
    return result
