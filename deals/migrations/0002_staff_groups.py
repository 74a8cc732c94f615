"""Give the channel team's groups the deals app's permissions (see deals/staff_roles.py).

The definition is copied here as it stood when this migration was written: a migration must
not change meaning when deals/staff_roles.py changes later. The deals app's permissions are
created here first so that the groups can hold them.
"""

from django.contrib.auth.management import create_permissions
from django.db import migrations

ROLES = {
    "deals": {
        "Channel reviewer": [
            "deals.review_deal",
            "deals.view_deal",
            "deals.view_dealevent",
            "deals.view_referralfee",
            "deals.view_referrallead",
        ],
        "Channel finance": [
            "deals.manage_referrals",
            "deals.view_deal",
            "deals.view_dealevent",
            "deals.view_referralfee",
            "deals.view_referrallead",
        ],
        "Programme manager": [
            "deals.manage_referrals",
            "deals.review_deal",
            "deals.view_deal",
            "deals.view_dealevent",
            "deals.view_referralfee",
            "deals.view_referrallead",
        ],
    }
}


def sync_groups(apps, schema_editor):
    from portal.staff_groups import staff_groups_sync

    using = schema_editor.connection.alias
    config = apps.get_app_config("deals")
    config.models_module = True  # a migration's app config has none; create_permissions needs one
    try:
        create_permissions(config, apps=apps, verbosity=0, using=using)
    finally:
        config.models_module = None
    staff_groups_sync(roles=ROLES, apps=apps, using=using)


class Migration(migrations.Migration):
    dependencies = [
        ("deals", "0001_initial"),
        ("partners", "0005_staff_groups"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(sync_groups, migrations.RunPython.noop)]
