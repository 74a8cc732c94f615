"""Give the channel team's groups the billing app's permissions (see billing/staff_roles.py).

The definition is copied here as it stood when this migration was written: a migration must
not change meaning when billing/staff_roles.py changes later. The billing app's permissions
are created here first so that the groups can hold them.
"""

from django.contrib.auth.management import create_permissions
from django.db import migrations

_READ = ["billing.view_order", "billing.view_orderline", "billing.view_redemptioncode"]

ROLES = {
    "billing": {
        "Channel reviewer": _READ,
        "Channel finance": _READ,
        "Programme manager": _READ,
    }
}


def sync_groups(apps, schema_editor):
    from portal.staff_groups import staff_groups_sync

    using = schema_editor.connection.alias
    config = apps.get_app_config("billing")
    config.models_module = True  # a migration's app config has none; create_permissions needs one
    try:
        create_permissions(config, apps=apps, verbosity=0, using=using)
    finally:
        config.models_module = None
    staff_groups_sync(roles=ROLES, apps=apps, using=using)


class Migration(migrations.Migration):
    dependencies = [
        ("billing", "0002_eu_vat_rates"),
        ("partners", "0005_staff_groups"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(sync_groups, migrations.RunPython.noop)]
