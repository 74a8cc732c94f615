"""Give the channel team's groups the review of trial extensions and evaluation licences
(licensing/staff_roles.py as it stood when this migration was written; a later change
adds a migration of its own). The licensing app's permissions are created here first so
that the groups can hold them."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

_REVIEW = [
    "licensing.review_evaluation_licence",
    "licensing.review_trial_extension",
    "licensing.view_evaluationlicencerequest",
    "licensing.view_trialextensionrequest",
]

ROLES = {"licensing": {"Channel reviewer": _REVIEW, "Programme manager": _REVIEW}}


def sync_groups(apps, schema_editor):
    from portal.staff_groups import staff_groups_sync

    using = schema_editor.connection.alias
    config = apps.get_app_config("licensing")
    config.models_module = True  # a migration's app config has none; create_permissions needs one
    try:
        create_permissions(config, apps=apps, verbosity=0, using=using)
    finally:
        config.models_module = None
    staff_groups_sync(roles=ROLES, apps=apps, using=using)


class Migration(migrations.Migration):
    dependencies = [
        ("licensing", "0004_trials"),
        ("partners", "0005_staff_groups"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(sync_groups, migrations.RunPython.noop)]
