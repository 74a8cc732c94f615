"""Every channel-team group may read the audit trail (portal/staff_roles.py).

The definition is copied here as it stood when this migration was written (see
partners/migrations/0005_staff_groups.py for why).
"""

from django.contrib.auth.management import create_permissions
from django.db import migrations

ROLES = {
    "portal": {
        "Channel reviewer": ["portal.view_auditevent"],
        "Channel finance": ["portal.view_auditevent"],
        "Programme manager": ["portal.view_auditevent"],
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
    dependencies = [
        ("portal", "0004_auditevent"),
        ("partners", "0005_staff_groups"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(sync_groups, migrations.RunPython.noop)]
