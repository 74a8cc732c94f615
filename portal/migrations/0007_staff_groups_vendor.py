"""Every channel-team group may read the vendor's details; the programme manager edits them
(portal/staff_roles.py).

The definition is copied here as it stood when this migration was written (see
partners/migrations/0005_staff_groups.py for why).
"""

from django.contrib.auth.management import create_permissions
from django.db import migrations

_READ = ["portal.view_auditevent", "portal.view_vendor"]

ROLES = {
    "portal": {
        "Channel reviewer": _READ,
        "Channel finance": _READ,
        "Programme manager": [*_READ, "portal.change_vendor"],
    }
}


def sync_groups(apps, schema_editor):
    from portal.staff_groups import staff_groups_sync

    using = schema_editor.connection.alias
    config = apps.get_app_config("portal")
    config.models_module = True  # a migration's app config has none; create_permissions needs one
    try:
        create_permissions(config, apps=apps, verbosity=0, using=using)
    finally:
        config.models_module = None
    staff_groups_sync(roles=ROLES, apps=apps, using=using)


class Migration(migrations.Migration):
    dependencies = [("portal", "0006_vendor")]

    operations = [migrations.RunPython(sync_groups, migrations.RunPython.noop)]
